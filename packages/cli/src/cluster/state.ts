// Where a local cluster keeps its state: ~/.kubesim/clusters/NAME/ (or under
// $KUBESIM_HOME), holding state.json (what runs, with pids), logs/ and etcd data.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ProcessRecord {
  /** "etcd", "apiserver", ... */
  component: string;
  pid: number;
  /** Its log file. */
  log: string;
  /** How to reach it, when it serves something. */
  endpoint?: string;
  /** The arguments it was started with, so it can be started again the same way. */
  args: string[];
  /** The program, when it is not the kubesim CLI (an etcd member: its binary, args are etcd's flags). */
  binary?: string;
}

/** etcd run in a container (no etcd binary on the machine). */
export interface EtcdContainer {
  id: string;
  name: string;
  endpoint: string;
  image: string;
}

export interface ClusterState {
  name: string;
  createdAt: string;
  /** The first apiserver (what readers before the HA control plane know). */
  apiserver: string;
  /** Every apiserver, in order (`up --ha` runs several); absent in older states: [apiserver]. */
  apiservers?: string[];
  etcdEndpoints: string[];
  /** True when kubesim started etcd itself (and so owns its data). */
  ownsEtcd: boolean;
  etcdContainer?: EtcdContainer;
  /** The pod network (shared-host mode): the cluster's Docker bridge network. */
  network?: { name: string; cidr: string; gateway: string; bridge: string };
  /** Where the ingress controller serves HTTP (http://IP:PORT/). */
  ingressURL?: string;
  /** Add-ons `up --disable` left out (a resumed cluster leaves them out too). */
  disabled?: Addon[];
  processes: ProcessRecord[];
}

/** The components `kubesim up` starts beyond Kubernetes' core, which `--disable` may leave out (as k3s's). */
export const ADDONS = ['dns', 'cloud-controller-manager', 'ingress-controller'] as const;
export type Addon = (typeof ADDONS)[number];

/** The add-on names of a `--disable` value; an unknown name is an error that lists the known ones. */
export function parseDisabled(text: string | undefined): Addon[] {
  const out: Addon[] = [];
  for (const n of (text ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(ADDONS as readonly string[]).includes(n)) throw new Error(`invalid value "${n}" for --disable: must be one of ${ADDONS.join(', ')}`);
    if (!out.includes(n as Addon)) out.push(n as Addon);
  }
  return out;
}

/** Every apiserver endpoint of a cluster, first one first (older states record one). */
export function apiserverEndpoints(state: Pick<ClusterState, 'apiserver' | 'apiservers'>): string[] {
  return state.apiservers?.length ? state.apiservers : state.apiserver.split(',').filter(Boolean);
}

export function kubesimHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBESIM_HOME || join(homedir(), '.kubesim');
}

export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(kubesimHome(env), 'clusters', name);
}

export async function readState(name: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(clusterDir(name), 'state.json'), 'utf8')) as ClusterState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function writeState(state: ClusterState): Promise<void> {
  const dir = clusterDir(state.name);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `state.json.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
  await rename(tmp, join(dir, 'state.json'));
}

/**
 * Whether a pid is a live process. Signal 0 probes without signalling, but a zombie
 * answers it too: our components outlive `kubesim up`, and where the init process does
 * not reap orphans a killed one stays a zombie, so on Linux its state is read as well.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
