// The parsed, validated form of an experiment file (`kind: Experiment`): what `chaos run`
// executes. Every default is filled in by parse.ts, so the runner never guesses.

export const EXPERIMENT_API_VERSION = 'kubesim.io/v1alpha1';
export const EXPERIMENT_KIND = 'Experiment';

export interface Experiment {
  name: string;
  /** The file it came from (for messages). */
  source: string;
  spec: ExperimentSpec;
}

export interface ExperimentSpec {
  /** What is recorded besides every Node: pods, endpoints and events of this namespace. */
  observe: { namespace: string; selector: string };
  probes: ProbeSpec[];
  /** Run before the probes start; not part of the timeline's story. */
  setup: Step[];
  steps: Step[];
  cleanup: { delete: boolean; heal: boolean };
}

export interface ProbeSpec {
  name: string;
  http: HttpTarget;
  intervalMs: number;
  timeoutMs: number;
}

export type HttpTarget =
  | { url: string }
  | {
      service: string;
      namespace: string;
      /** The Service port: its number or its name. */
      port: number | string;
      path: string;
      /** nodePort: a node's InternalIP and the NodePort; clusterIP: the ClusterIP from the host. */
      via: 'nodePort' | 'clusterIP';
      /** The node whose address to use; default: the first node no fault of the experiment hit. */
      node?: string;
    };

export type Step = ApplyStep | WaitStep | FaultStep | HealStep;

export interface ApplyStep {
  type: 'apply';
  /** Absolute path of a manifest file (resolved against the experiment file's folder). */
  file?: string;
  /** Inline objects. */
  objects?: unknown[];
}

export type ReadyStatus = 'True' | 'False' | 'Unknown';

export type WaitFor =
  | { kind: 'podsReady'; namespace: string; selector: string; count: number; onReadyNodes: boolean }
  | { kind: 'nodeReady'; node?: string; status: ReadyStatus[] }
  | { kind: 'deploymentAvailable'; namespace: string; name: string }
  | { kind: 'probe'; probe: string; consecutive: number }
  | { kind: 'duration'; ms: number };

export interface WaitStep {
  type: 'wait';
  for: WaitFor;
  /** Fails the experiment past this (not used by a plain duration). */
  timeoutMs: number;
}

export const NODE_ACTIONS = ['node-kill', 'node-pause', 'node-partition', 'node-delay', 'node-loss'] as const;
export const COMPONENT_ACTIONS = ['kill', 'pause', 'kill-leader'] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];
export type ComponentAction = (typeof COMPONENT_ACTIONS)[number];
export type FaultAction = NodeAction | ComponentAction;

export type NodeTarget = { node: string } | { nodeOf: { namespace: string; selector: string } };

export type FaultStep =
  | {
      type: 'fault';
      /** How heal steps name it; default "fault-N". */
      name: string;
      action: NodeAction;
      target: NodeTarget;
      withPods: boolean;
      /** node-delay: milliseconds; node-loss: probability in (0, 1]. */
      amount?: number;
    }
  | {
      type: 'fault';
      name: string;
      action: ComponentAction;
      /** apiserver-1, etcd-2, ...; for kill-leader: scheduler or controller-manager. */
      component: string;
    };

export interface HealStep {
  type: 'heal';
  /** Undo every fault in force (kubesim chaos heal --all). */
  all: boolean;
  /** Or the one fault step of this name. */
  fault?: string;
}

export const isNodeAction = (a: string): a is NodeAction => (NODE_ACTIONS as readonly string[]).includes(a);
export const isComponentAction = (a: string): a is ComponentAction => (COMPONENT_ACTIONS as readonly string[]).includes(a);
