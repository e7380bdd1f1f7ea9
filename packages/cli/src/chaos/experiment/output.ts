// timeline.json: everything an experiment recorded and derived, the one input of the plot.
import type { Change, Marker, ProbeSample } from './record.js';
import type { ProbeSummary, ReadyPoint, TimelineEntry } from './timeline.js';

export interface TimelineFile {
  apiVersion: 'kubesim.io/v1alpha1';
  kind: 'ExperimentTimeline';
  experiment: string;
  cluster: string;
  startedAt: string;
  finishedAt: string;
  result: 'Succeeded' | 'Failed';
  error?: string;
  /** Time zero (ms since the epoch): the first fault, else the start of the steps. */
  t0: number;
  entries: TimelineEntry[];
  markers: Marker[];
  readyPods: ReadyPoint[];
  /** Which pods the ready series counts. */
  observe: { namespace: string; selector: string };
  probes: ProbeSummary[];
  samples: ProbeSample[];
  /** The raw recorded changes the entries were derived from. */
  changes: Change[];
}
