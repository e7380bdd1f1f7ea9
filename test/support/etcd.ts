// A real, throwaway etcd for tests: one member on free loopback ports, started by the
// same launcher `kubesim up` uses, with its data on tmpfs when there is one (etcd 3.4 has
// no --unsafe-no-fsync; tmpfs makes its fsyncs nearly free).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd as launchEtcd } from '@kubesim/launcher';

export interface TestEtcd {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts a single-member etcd and resolves once it answers /health. */
export async function startEtcd(): Promise<TestEtcd> {
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kubesim-etcd-'));
    try {
      const etcd = await launchEtcd({ dataDir: dir, name: 'test', args: ['--logger', 'zap', '--log-level', 'error'], binary: process.env.KUBESIM_ETCD_BIN });
      return {
        endpoint: etcd.endpoint,
        stop: async () => {
          await etcd.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      // A port taken between choosing and binding it: choose again.
      if (attempt < 3 && /address already in use/.test(String(err))) continue;
      throw err;
    }
  }
}
