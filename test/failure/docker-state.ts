// What the node agents run on the Docker engine, read back through the labels the kubelet
// puts on every container, and the two invariants a node failure must never break: no pod
// runs twice, and no container outlives its pod (or runs on a node its pod is not bound to).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Pod } from '@kubesim/api';

const exec = promisify(execFile);

export interface KubeletContainer {
  id: string;
  node: string;
  namespace: string;
  pod: string;
  uid: string;
  /** 'sandbox' or 'app'. */
  role: string;
  /** The container's name in the pod spec ('POD' for the sandbox). */
  container: string;
  running: boolean;
}

/** Every container (running or not) that the agents of `nodes` made. */
export async function kubeletContainers(nodes: readonly string[]): Promise<KubeletContainer[]> {
  const out: KubeletContainer[] = [];
  const fmt = '{{.ID}}\t{{.State}}\t{{.Label "kubesim.node"}}\t{{.Label "kubesim.pod.namespace"}}\t{{.Label "kubesim.pod.name"}}\t{{.Label "kubesim.pod.uid"}}\t{{.Label "kubesim.role"}}\t{{.Label "kubesim.container.name"}}';
  for (const node of nodes) {
    const { stdout } = await exec('docker', ['ps', '-a', '--no-trunc', '--filter', `label=kubesim.node=${node}`, '--format', fmt]);
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [id, state, n, namespace, pod, uid, role, container] = line.split('\t');
      out.push({ id, node: n, namespace, pod, uid, role, container, running: state === 'running' });
    }
  }
  return out;
}

/** Running containers that run a pod a second time: more than one running sandbox or app container of the same name per pod uid, or one pod on two nodes. */
export function duplicates(containers: readonly KubeletContainer[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, KubeletContainer[]>();
  const nodesOf = new Map<string, Set<string>>();
  for (const c of containers) {
    if (!c.running) continue;
    const key = `${c.uid}/${c.role}/${c.container}`;
    seen.set(key, [...(seen.get(key) ?? []), c]);
    nodesOf.set(c.uid, (nodesOf.get(c.uid) ?? new Set()).add(c.node));
  }
  for (const [key, cs] of seen) if (cs.length > 1) problems.push(`${cs[0].namespace}/${cs[0].pod} runs ${cs.length} ${cs[0].role} containers ${key}: ${cs.map((c) => c.id.slice(0, 12)).join(', ')}`);
  for (const [uid, nodes] of nodesOf) if (nodes.size > 1) problems.push(`pod uid ${uid} runs on ${[...nodes].join(' and ')}`);
  return problems;
}

/** Containers whose pod is not in the API (by uid) or is bound to another node. */
export function orphans(containers: readonly KubeletContainer[], pods: readonly Pod[]): string[] {
  const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
  const problems: string[] = [];
  for (const c of containers) {
    const p = byUid.get(c.uid);
    if (!p) problems.push(`${c.running ? 'running' : 'stopped'} ${c.role} container ${c.id.slice(0, 12)} on ${c.node} of pod ${c.namespace}/${c.pod} (uid ${c.uid}), which the API no longer has`);
    else if (p.spec?.nodeName !== c.node) problems.push(`${c.role} container ${c.id.slice(0, 12)} of ${c.namespace}/${c.pod} on ${c.node}, but the pod is bound to ${p.spec?.nodeName}`);
  }
  return problems;
}

/** Whether a container runs right now (false when it is gone). */
export async function isRunning(id: string): Promise<boolean> {
  try {
    return (await exec('docker', ['inspect', '-f', '{{.State.Running}}', id])).stdout.trim() === 'true';
  } catch {
    return false;
  }
}

/** Whether Docker still has the container, in any state. */
export async function exists(id: string): Promise<boolean> {
  try {
    await exec('docker', ['inspect', '-f', '{{.Id}}', id]);
    return true;
  } catch {
    return false;
  }
}

/** Removes every container the agents of `nodes` made (test teardown). */
export async function removeAll(nodes: readonly string[]): Promise<void> {
  for (const n of nodes) {
    const ids = (await exec('docker', ['ps', '-aq', '--filter', `label=kubesim.node=${n}`])).stdout.split('\n').filter(Boolean);
    if (ids.length) await exec('docker', ['rm', '-f', ...ids]);
  }
}
