// Timing profiles for `kubesim up --profile NAME`: every timing knob of node failure
// handling, with Kubernetes' own defaults ('default', so the real timings can be shown)
// and a 'fast' set for demos (a dead node's pods are replaced in well under 10 s).
// Each knob is a flag of one component; a profile is the extra flags of each component.
//
// fast, a node killed at t=0 (heartbeats every 1 s, so the last one is at most 1 s old):
//   t≈3-5 s  grace (4 s) runs out, seen at the next monitor tick (1 s): Unknown + taints
//   t≈5-7 s  default unreachable toleration (2 s) runs out: pods marked for deletion,
//            their ReplicaSet creates replacements, scheduled and started at once
// The lease is renewed every quarter of its 4 s, so a node is declared dead only after
// about four missed renewals, which keeps a busy machine free of false NotReady.

export type ProfileName = 'default' | 'fast';
export type ProfileComponent = 'apiserver' | 'controller-manager' | 'scheduler' | 'node';

export interface TimingKnob {
  /** What it sets, for the README table. */
  knob: string;
  /** The components taking the flag (leader election: the scheduler and the controller-manager). */
  components: readonly ProfileComponent[];
  /** The kubesim flag (of `kubesim <component>`). */
  flag: string;
  /** The Kubernetes flag it mirrors (component and flag). */
  kubernetesFlag: string;
  /** Values in seconds, per profile ('default' is Kubernetes' default). */
  values: Record<ProfileName, number>;
}

export const TIMING_KNOBS: readonly TimingKnob[] = [
  { knob: 'node status report interval', components: ['node'], flag: '--node-status-update-frequency', kubernetesFlag: 'kubelet --node-status-update-frequency', values: { default: 10, fast: 1 } },
  { knob: 'node Lease duration (renewed every 1/4)', components: ['node'], flag: '--node-lease-duration', kubernetesFlag: 'kubelet nodeLeaseDurationSeconds', values: { default: 40, fast: 4 } },
  { knob: 'node health check period', components: ['controller-manager'], flag: '--node-monitor-period', kubernetesFlag: 'kube-controller-manager --node-monitor-period', values: { default: 5, fast: 1 } },
  { knob: 'silence before a node goes Unknown', components: ['controller-manager'], flag: '--node-monitor-grace-period', kubernetesFlag: 'kube-controller-manager --node-monitor-grace-period', values: { default: 50, fast: 4 } },
  { knob: 'the same for a node not yet Ready', components: ['controller-manager'], flag: '--node-startup-grace-period', kubernetesFlag: 'kube-controller-manager --node-startup-grace-period', values: { default: 60, fast: 10 } },
  { knob: 'default not-ready toleration', components: ['apiserver'], flag: '--default-not-ready-toleration-seconds', kubernetesFlag: 'kube-apiserver --default-not-ready-toleration-seconds', values: { default: 300, fast: 2 } },
  { knob: 'default unreachable toleration', components: ['apiserver'], flag: '--default-unreachable-toleration-seconds', kubernetesFlag: 'kube-apiserver --default-unreachable-toleration-seconds', values: { default: 300, fast: 2 } },
  // Leader election: a standby takes over one lease duration after it last saw the
  // leader renew; 2 s lease, 1.5 s renew deadline, 0.5 s retry gives a new leader in
  // about 2.5 s (npm run bench -- failover).
  { knob: 'leader lease duration', components: ['scheduler', 'controller-manager'], flag: '--leader-elect-lease-duration', kubernetesFlag: 'kube-scheduler/kube-controller-manager --leader-elect-lease-duration', values: { default: 15, fast: 2 } },
  { knob: 'leader renew deadline', components: ['scheduler', 'controller-manager'], flag: '--leader-elect-renew-deadline', kubernetesFlag: 'kube-scheduler/kube-controller-manager --leader-elect-renew-deadline', values: { default: 10, fast: 1.5 } },
  { knob: 'leader retry period', components: ['scheduler', 'controller-manager'], flag: '--leader-elect-retry-period', kubernetesFlag: 'kube-scheduler/kube-controller-manager --leader-elect-retry-period', values: { default: 2, fast: 0.5 } },
];

export const PROFILE_NAMES: readonly ProfileName[] = ['default', 'fast'];

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

/** The extra flags `component` gets under `profile` (["--flag", "value", ...]). */
export function profileFlags(profile: ProfileName, component: ProfileComponent): string[] {
  return TIMING_KNOBS.filter((k) => k.components.includes(component)).flatMap((k) => [k.flag, String(k.values[profile])]);
}

/** Every component's extra flags under `profile`; throws on an unknown profile name. */
export function timingProfile(name: string): Record<ProfileComponent, string[]> {
  if (!isProfileName(name)) throw new Error(`unknown profile "${name}": must be one of ${PROFILE_NAMES.join(', ')}`);
  return { apiserver: profileFlags(name, 'apiserver'), 'controller-manager': profileFlags(name, 'controller-manager'), scheduler: profileFlags(name, 'scheduler'), node: profileFlags(name, 'node') };
}

/** The README table (Markdown): knob, kubesim flag, Kubernetes flag, default, fast. */
export function profileTable(): string {
  const rows = TIMING_KNOBS.map((k) => `| ${k.knob} | \`kubesim ${k.components.join('/')} ${k.flag}\` | \`${k.kubernetesFlag}\` | ${k.values.default} s | ${k.values.fast} s |`);
  return ['| knob | kubesim flag | Kubernetes flag | default | fast |', '|---|---|---|---|---|', ...rows].join('\n');
}
