// Defaults of the cluster lifecycle verbs (kept beside the component flags in ../flags.ts).
export const CLUSTER_FLAGS = {
  name: 'kubesim',
  port: 6443,
  timeoutSeconds: 30,
  nodes: 3,
  runtime: 'docker' as 'docker' | 'fake',
} as const;
