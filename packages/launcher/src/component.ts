// Starts a kubesim component (`kubesim <component> ...`) as its own OS process.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@kubesim/client';
import { freePort } from './ports.js';
import { stopChild } from './etcd.js';
import { GiveUp, waitFor } from './wait.js';

/** The built CLI entry point (packages/cli/dist/main.js). */
export const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

export interface RunningComponent {
  pid: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface ComponentOptions {
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Let the component outlive this process (its own process group, not waited on). */
  detached?: boolean;
}

export function startComponent(args: string[], opts: ComponentOptions = {}): RunningComponent {
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', out, out], env: { ...process.env, ...opts.env }, detached: opts.detached ?? false });
  if (opts.detached) child.unref();
  return { pid: child.pid!, process: child, stop: () => stopChild(child) };
}

export interface RunningApiServer extends RunningComponent {
  endpoint: string;
}

/** Starts `kubesim apiserver` and waits until it answers. */
export async function startApiServerProcess(etcdEndpoints: string[], opts: ComponentOptions & { port?: number; args?: string[]; timeoutMs?: number } = {}): Promise<RunningApiServer> {
  const port = opts.port ?? (await freePort());
  const endpoint = `127.0.0.1:${port}`;
  const c = startComponent(['apiserver', '--etcd-servers', etcdEndpoints.join(','), '--listen', endpoint, ...(opts.args ?? [])], opts);
  let exited: string | undefined;
  c.process.once('exit', (code, sig) => (exited = `apiserver exited (${sig ?? code})`));
  const client = new Client({ endpoints: [endpoint], timeoutMs: 1000 });
  try {
    await waitFor(
      `apiserver at ${endpoint}`,
      async () => {
        if (exited) throw new GiveUp(exited);
        await client.version();
        return true;
      },
      { timeoutMs: opts.timeoutMs ?? 20_000 },
    );
  } catch (e) {
    await c.stop();
    throw e;
  } finally {
    client.close();
  }
  return { ...c, endpoint };
}
