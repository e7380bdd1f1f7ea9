// A backend's health as a cloud load balancer tracks it: a node starts out of rotation,
// goes in after `healthyThreshold` consecutive passing checks and out after
// `unhealthyThreshold` consecutive failures (defaults 1 and 2: one lost probe is not
// enough to drop a node, one good answer brings it back).

export interface HealthThresholds {
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { healthyThreshold: 1, unhealthyThreshold: 2 };

export interface HealthState {
  healthy: boolean;
  /** Consecutive results contrary to `healthy` so far (reset by any agreeing result). */
  streak: number;
}

/** Unknown backends are out until a check passes, as new cloud LB backends are. */
export const INITIAL_HEALTH: HealthState = { healthy: false, streak: 0 };

export function nextHealth(state: HealthState, passed: boolean, t: HealthThresholds = DEFAULT_THRESHOLDS): HealthState {
  if (passed === state.healthy) return { healthy: state.healthy, streak: 0 };
  const streak = state.streak + 1;
  const needed = passed ? t.healthyThreshold : t.unhealthyThreshold;
  return streak >= needed ? { healthy: passed, streak: 0 } : { healthy: state.healthy, streak };
}
