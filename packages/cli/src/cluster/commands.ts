// Cluster lifecycle verbs: up, down, status.
import type { Command } from 'commander';
import { CLUSTER_FLAGS } from './flags.js';
import { ADDONS, parseDisabled } from './state.js';

const say = (line: string) => process.stdout.write(line + '\n');

function fail(err: unknown): never {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

export function registerClusterVerbs(program: Command): void {
  program
    .command('up')
    .description('start a local cluster: etcd, apiserver, scheduler, controller-manager and node agents, each its own process')
    .option('--name <name>', 'cluster name', CLUSTER_FLAGS.name)
    .option('--etcd-endpoints <urls>', 'use this etcd cluster (comma-separated URLs) instead of starting one')
    .option('--etcd <binary|container|auto>', 'run etcd from the local binary or in a container (auto: the binary if there is one)', 'auto')
    .option('--etcd-image <image>', 'image for a container etcd (default kubesim/etcd:latest, built by scripts/images.sh)')
    .option('--port <port>', 'apiserver port on 127.0.0.1 (0: any free port)', String(CLUSTER_FLAGS.port))
    .option('--timeout <seconds>', 'how long to wait for each component', String(CLUSTER_FLAGS.timeoutSeconds))
    .option('--nodes <n>', 'number of nodes', String(CLUSTER_FLAGS.nodes))
    .option('--runtime <docker|fake>', 'node runtime: real Docker containers, or hollow nodes', CLUSTER_FLAGS.runtime)
    .option('--profile <default|fast>', "timing profile: Kubernetes' own timings, or fast ones for failure demos", 'default')
    .option('--disable <addons>', `add-ons not to start, comma-separated: ${ADDONS.join(', ')}`)
    .option('--ha', 'HA control plane: 3 etcd members, 2 apiservers, 2 schedulers, 2 controller-managers (the counts below override)')
    .option('--etcd-members <n>', 'etcd members (1 or 3+; default 1, 3 with --ha)')
    .option('--apiservers <n>', 'apiservers, each on every etcd member (default 1, 2 with --ha)')
    .option('--schedulers <n>', 'schedulers, electing a leader (default 1, 2 with --ha)')
    .option('--controller-managers <n>', 'controller-managers, electing a leader (default 1, 2 with --ha)')
    .action(async (o: { name: string; etcdEndpoints?: string; etcd: string; etcdImage?: string; port: string; timeout: string; nodes: string; runtime: string; profile: string; disable?: string; ha?: boolean; etcdMembers?: string; apiservers?: string; schedulers?: string; controllerManagers?: string }) => {
      const { up } = await import('./up.js');
      const { controlPlaneSize } = await import('./ha.js');
      const { controlPlaneNames } = await import('../chaos/names.js');
      const t0 = Date.now();
      try {
        if (!Number.isInteger(Number(o.nodes)) || Number(o.nodes) < 0) throw new Error(`invalid value "${o.nodes}" for --nodes: must be a non-negative integer`);
        if (!/^[0-9]+$/.test(o.port) || Number(o.port) > 65535) throw new Error(`invalid value "${o.port}" for --port: must be a port number from 0 (any free port) to 65535`);
        if (!['auto', 'binary', 'container'].includes(o.etcd)) throw new Error(`invalid value "${o.etcd}" for --etcd: must be binary, container or auto`);
        if (o.runtime !== 'docker' && o.runtime !== 'fake') throw new Error(`invalid value "${o.runtime}" for --runtime: must be docker or fake`);
        const size = controlPlaneSize(o);
        const disabled = parseDisabled(o.disable);
        const state = await up({
          name: o.name,
          etcdEndpoints: o.etcdEndpoints ? o.etcdEndpoints.split(',').filter(Boolean) : [],
          port: Number(o.port),
          timeoutMs: Number(o.timeout) * 1000,
          etcd: o.etcd as 'auto' | 'binary' | 'container',
          ...(o.etcdImage ? { etcdImage: o.etcdImage } : {}),
          nodes: Number(o.nodes),
          runtime: o.runtime === 'fake' ? 'fake' : 'docker',
          profile: o.profile,
          disabled,
          size,
          say,
        });
        const servers = state.apiservers ?? [state.apiserver];
        say(`\nCluster "${state.name}" is up in ${((Date.now() - t0) / 1000).toFixed(1)} s. Apiserver${servers.length > 1 ? 's' : ''}: ${servers.join(', ')}`);
        // Control-plane processes by the names chaos verbs take (etcd-1, scheduler-2, ...).
        const names = new Map(controlPlaneNames(state.processes).map((x) => [x.process, x.name]));
        const label = (p: (typeof state.processes)[number]) => names.get(p) ?? p.component;
        const w = Math.max(10, ...state.processes.map((p) => label(p).length));
        for (const p of state.processes) say(`  ${label(p).padEnd(w)} pid ${String(p.pid).padEnd(8)} log ${p.log}`);
        say(`Context "${state.name}" is now current. Try: kubesim get namespaces`);
        process.exit(0);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('down')
    .description('stop a local cluster and remove everything it made')
    .option('--name <name>', 'cluster name', CLUSTER_FLAGS.name)
    .action(async (o: { name: string }) => {
      const { down } = await import('./down.js');
      try {
        if (!(await down(o.name, say))) say(`No cluster "${o.name}" (nothing to do).`);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('status')
    .description("show a local cluster's processes, their pids and health")
    .option('--name <name>', 'cluster name', CLUSTER_FLAGS.name)
    .action(async (o: { name: string }) => {
      const { status } = await import('./status.js');
      try {
        const st = await status(o.name);
        if (!st) {
          process.stderr.write(`error: no cluster "${o.name}" (start one with kubesim up)\n`);
          process.exit(1);
        }
        const servers = st.state.apiservers ?? [st.state.apiserver];
        say(`Cluster "${st.state.name}", apiserver${servers.length > 1 ? 's' : ''} ${servers.join(',')}, etcd ${st.state.etcdEndpoints.join(',')}`);
        const rows = [['COMPONENT', 'PID', 'STATUS', 'ROLE', 'ENDPOINT', 'LOG'], ...st.processes.map((p) => [p.name, String(p.pid), p.status, p.note || '-', p.endpoint || '-', p.log])];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows) say(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join(''));
        if (st.faultLines.length) for (const l of ['', 'Faults in force (kubesim chaos heal --all undoes them):', ...st.faultLines]) say(l);
        if (st.processes.some((p) => p.status !== 'Running')) process.exit(1);
      } catch (e) {
        fail(e);
      }
    });
}
