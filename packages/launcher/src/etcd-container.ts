// etcd in a container, through testcontainers: what `kubesim up` uses when this machine
// has no etcd binary. The container outlives this process (no reaper), so a cluster's
// etcd keeps running after `kubesim up` returns; `kubesim down` removes it by id.
import { waitFor } from './wait.js';

export const DEFAULT_ETCD_IMAGE = 'kubesim/etcd:latest';

export interface EtcdContainerOptions {
  image?: string;
  /** Container name (a cluster's etcd is found again by it). */
  name: string;
  /** Host port published on 127.0.0.1 for the client URL; random when absent. */
  hostPort?: number;
  timeoutMs?: number;
}

export interface RunningEtcdContainer {
  endpoint: string;
  containerId: string;
}

export async function startEtcdContainer(opts: EtcdContainerOptions): Promise<RunningEtcdContainer> {
  // Ryuk (testcontainers' reaper) would remove the container when we exit, and its image
  // cannot be pulled offline anyway.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = opts.image ?? DEFAULT_ETCD_IMAGE;
  const container = await new GenericContainer(image)
    .withName(opts.name)
    .withExposedPorts(opts.hostPort ? { container: 2379, host: opts.hostPort } : 2379)
    .withCommand([
      `--name=${opts.name}`,
      '--data-dir=/var/lib/etcd',
      '--listen-client-urls=http://0.0.0.0:2379',
      '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380',
      '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      `--initial-cluster=${opts.name}=http://127.0.0.1:2380`,
    ])
    // The image has no shell, so testcontainers' port check (which execs one) cannot run.
    .withWaitStrategy(Wait.forHttp('/health', 2379).forStatusCode(200))
    .withStartupTimeout(opts.timeoutMs ?? 30_000)
    .start();
  const endpoint = `http://127.0.0.1:${container.getMappedPort(2379)}`;
  await waitFor(
    `etcd container ${opts.name} at ${endpoint}`,
    async () => {
      const res = await fetch(`${endpoint}/health`);
      return ((await res.json()) as { health?: string }).health === 'true' ? true : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000 },
  );
  return { endpoint, containerId: container.getId() };
}
