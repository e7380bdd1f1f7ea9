// A local etcd cluster of several members (the HA control plane of `kubesim up --ha`):
// each member is its own etcd process with its own data dir, client and peer port. The
// command line of each is built once (etcdMemberArgs) and recorded by the caller, so a
// killed member is started again with exactly the same flags and data: etcd then ignores
// the --initial-cluster* flags (its WAL knows the cluster) and rejoins as the same member.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { findEtcdBinary } from './etcd.js';
import { GiveUp, waitFor } from './wait.js';

export interface EtcdMemberSpec {
  /** Member name (etcd --name), e.g. "etcd-1". */
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
}

/** The client URL of a member on loopback. */
export function memberEndpoint(m: Pick<EtcdMemberSpec, 'clientPort'>): string {
  return `http://127.0.0.1:${m.clientPort}`;
}

/**
 * The etcd flags of every member of a new cluster (pure). `token` keeps two clusters on
 * one host from mistaking each other's members (etcd --initial-cluster-token).
 */
export function etcdMemberArgs(members: EtcdMemberSpec[], token: string): string[][] {
  const peer = (m: EtcdMemberSpec) => `http://127.0.0.1:${m.peerPort}`;
  const initialCluster = members.map((m) => `${m.name}=${peer(m)}`).join(',');
  return members.map((m) => [
    `--name=${m.name}`,
    `--data-dir=${m.dataDir}`,
    `--listen-client-urls=${memberEndpoint(m)}`,
    `--advertise-client-urls=${memberEndpoint(m)}`,
    `--listen-peer-urls=${peer(m)}`,
    `--initial-advertise-peer-urls=${peer(m)}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-token=${token}`,
    '--initial-cluster-state=new',
  ]);
}

/** The value of `--flag=value` in an etcd command line. */
export function etcdFlag(args: string[], flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export interface RunningEtcdMember {
  name: string;
  endpoint: string;
  pid: number;
  binary: string;
  args: string[];
  process: ChildProcess;
}

export interface EtcdMemberStartOptions {
  binary?: string;
  logFile?: string;
  /** Let the member outlive this process (its own process group, not waited on). */
  detached?: boolean;
}

/** Spawns one member with its recorded flags; does not wait (see waitEtcdHealthy). */
export function spawnEtcdMember(args: string[], opts: EtcdMemberStartOptions = {}): RunningEtcdMember {
  const binary = opts.binary ?? findEtcdBinary();
  if (!binary) throw new Error('no etcd binary found (apt-get install etcd-server)');
  const endpoint = etcdFlag(args, 'advertise-client-urls');
  if (!endpoint) throw new Error('etcd member args lack --advertise-client-urls');
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(binary, args, { stdio: ['ignore', out, out], detached: opts.detached ?? false });
  if (opts.detached) child.unref();
  return { name: etcdFlag(args, 'name') ?? '', endpoint, pid: child.pid!, binary, args, process: child };
}

/** Whether a member answers /health with true (it has a leader and no alarm). */
export async function etcdHealthy(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * Waits until the member answers healthy. A member of a multi-member cluster is healthy
 * only once a quorum is up and has a leader, so start every member before waiting.
 */
export async function waitEtcdHealthy(member: Pick<RunningEtcdMember, 'endpoint' | 'process' | 'name'>, timeoutMs = 20_000, logFile?: string): Promise<void> {
  let exited: string | undefined;
  member.process.once('exit', (code, sig) => (exited = `etcd member ${member.name} exited (${sig ?? code})${logFile ? `; see ${logFile}` : ''}`));
  if (member.process.exitCode !== null) exited = `etcd member ${member.name} exited (${member.process.exitCode})`;
  await waitFor(
    `etcd member ${member.name} at ${member.endpoint} to be healthy`,
    async () => {
      if (exited) throw new GiveUp(exited);
      return (await etcdHealthy(member.endpoint)) ? true : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** What a member says of itself and of the cluster (etcd's /v3/maintenance/status). */
export interface EtcdMemberStatus {
  memberId: string;
  leaderId: string;
  raftTerm: string;
  isLeader: boolean;
}

export async function etcdMemberStatus(endpoint: string, timeoutMs = 2000): Promise<EtcdMemberStatus> {
  const res = await fetch(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`etcd ${endpoint} status: HTTP ${res.status}`);
  const body = (await res.json()) as { header?: { member_id?: string }; leader?: string; raftTerm?: string };
  const memberId = body.header?.member_id ?? '';
  const leaderId = body.leader ?? '';
  return { memberId, leaderId, raftTerm: body.raftTerm ?? '', isLeader: memberId !== '' && memberId === leaderId };
}

/** The endpoint of the member that leads now, among `endpoints` (undefined during an election). */
export async function etcdLeaderEndpoint(endpoints: string[]): Promise<string | undefined> {
  const all = await Promise.all(endpoints.map((ep) => etcdMemberStatus(ep).then((s) => ({ ep, s })).catch(() => undefined)));
  return all.find((x) => x?.s.isLeader)?.ep;
}

export interface EtcdClusterOptions extends Omit<EtcdMemberStartOptions, 'logFile'> {
  /** Flags of each member (etcdMemberArgs for a new cluster, the recorded ones to resume). */
  memberArgs: string[][];
  /** Log file of each member, by index. */
  logFiles?: string[];
  timeoutMs?: number;
}

/**
 * Starts every member, then waits until each is healthy (a lone member never is). On
 * failure the members started here are killed before the error is thrown.
 */
export async function startEtcdCluster(opts: EtcdClusterOptions): Promise<RunningEtcdMember[]> {
  const members: RunningEtcdMember[] = [];
  try {
    opts.memberArgs.forEach((args, i) => members.push(spawnEtcdMember(args, { binary: opts.binary, detached: opts.detached, logFile: opts.logFiles?.[i] })));
    await Promise.all(members.map((m, i) => waitEtcdHealthy(m, opts.timeoutMs, opts.logFiles?.[i])));
    return members;
  } catch (e) {
    for (const m of members) if (m.process.exitCode === null) m.process.kill('SIGKILL');
    throw e;
  }
}
