// The kubectl-like verbs end to end: the built CLI as a process against a real apiserver
// process on a real etcd. Each group works in its own namespace.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { runCli, startCluster, type TestCluster } from './harness.js';

const EXAMPLES = fileURLToPath(new URL('../../deploy/examples', import.meta.url));
const EXAMPLE_OBJECTS = [
  'configmap/game-config',
  'deployment.apps/hostname',
  'deployment.apps/nginx-deployment',
  'pod/nginx',
  'pod/web-with-sidecar',
  'replicaset.apps/frontend',
  'secret/db-credentials',
  'service/hostname-lb',
  'service/my-database',
  'service/nginx-clusterip',
  'service/nginx-nodeport',
];

let cluster: TestCluster;
let dir: string;
const k = (...args: string[]) => cluster.kubesim(args);

beforeAll(async () => {
  cluster = await startCluster();
  dir = await mkdtemp(join(tmpdir(), 'kubesim-cli-e2e-'));
  for (const ns of ['ex', 'gets', 'errs', 'meta', 'del', 'desc']) expect((await k('create', 'namespace', ns)).stdout).toBe(`namespace/${ns} created\n`);
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('apply', () => {
  it('creates every example, then finds them unchanged', async () => {
    const first = await k('apply', '-n', 'ex', '-f', EXAMPLES);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(EXAMPLE_OBJECTS.map((o) => `${o} created`));
    const again = await k('apply', '-n', 'ex', '-f', EXAMPLES);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').sort()).toEqual(EXAMPLE_OBJECTS.map((o) => `${o} unchanged`));
  });

  it('configures a changed manifest and really removes a field that left it', async () => {
    const original = await readFile(join(EXAMPLES, 'deployment.yaml'), 'utf8');
    expect(original).toContain('replicas: 3');
    const file = join(dir, 'deploy.yaml');
    const changed = original
      .replace('replicas: 3', 'replicas: 5')
      .replace(/\n  labels:\n    app: nginx\n/, '\n  annotations:\n    team: web\n')
      .replace(/        resources:\n(          .*\n)+/, '');
    expect(changed).not.toContain('resources:');
    await writeFile(file, changed);
    const r = await k('apply', '-n', 'ex', '-f', file);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/nginx-deployment configured\n' });
    const live = JSON.parse((await k('get', '-n', 'ex', 'deployment', 'nginx-deployment', '-o', 'json')).stdout);
    expect(live.spec.replicas).toBe(5);
    expect(live.metadata.labels).toBeUndefined();
    expect(live.metadata.annotations.team).toBe('web');
    expect(live.spec.template.spec.containers[0].resources ?? {}).toEqual({});
    expect(JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).spec.replicas).toBe(5);
    expect((await k('apply', '-n', 'ex', '-f', file)).stdout).toBe('deployment.apps/nginx-deployment unchanged\n');
  });

  it('reads stdin and multi-document YAML', async () => {
    const docs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: "1"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n';
    const r = await cluster.kubesim(['apply', '-n', 'ex', '-f', '-'], { stdin: docs });
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/one created\nconfigmap/two created\n' });
  });
});

describe('get', () => {
  beforeAll(async () => {
    for (const [name, app] of [['a', 'web'], ['b', 'web'], ['c', 'db']]) {
      expect((await k('create', 'configmap', name, '-n', 'gets', '--from-literal=k=v')).code).toBe(0);
      expect((await k('label', 'cm', name, '-n', 'gets', `app=${app}`)).code).toBe(0);
    }
  });

  it('prints a table with kubectl columns', async () => {
    const r = await k('get', 'configmaps', '-n', 'gets');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['a', '1'], ['b', '1'], ['c', '1']]);
    const pods = await k('get', 'po', '-n', 'ex', '-o', 'wide');
    expect(pods.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(pods.stdout).toMatch(/\nnginx\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>/);
    const svc = await k('get', 'svc', '-n', 'ex');
    expect(svc.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(svc.stdout).toMatch(/\nmy-database\s+ExternalName\s+\S+\s+my\.database\.com\s/);
    expect(svc.stdout).toMatch(/\nnginx-nodeport\s+NodePort\s+\S+\s+\S+\s+80:30080\/TCP\s/);
  });

  it('filters with -l and --field-selector', async () => {
    expect((await k('get', 'cm', '-n', 'gets', '-l', 'app=web', '-o', 'name')).stdout).toBe('configmap/a\nconfigmap/b\n');
    expect((await k('get', 'cm', '-n', 'gets', '-l', 'app in (db)', '-o', 'name')).stdout).toBe('configmap/c\n');
    expect((await k('get', 'cm', '-n', 'gets', '--field-selector', 'metadata.name=b', '-o', 'name')).stdout).toBe('configmap/b\n');
    const none = await k('get', 'cm', '-n', 'gets', '-l', 'app=nothing');
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found in gets namespace.\n' });
  });

  it('prints -o yaml/json: one object alone, a type as a List', async () => {
    const one = await k('get', 'cm', 'a', '-n', 'gets', '-o', 'yaml');
    expect(one.stdout).toMatch(/^apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n/);
    const list = JSON.parse((await k('get', 'cm', '-n', 'gets', '-l', 'app=web', '-o', 'json')).stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b']);
    expect(list.items[0].kind).toBe('ConfigMap');
  });

  it('adds NAMESPACE with -A, LABELS with --show-labels, type prefixes for several types', async () => {
    const all = await k('get', 'cm', '-A', '-l', 'app=db', '--show-labels');
    expect(all.stdout).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE\s+LABELS\ngets\s+c\s+1\s+\S+\s+app=db\n$/);
    const multi = await k('get', 'cm,secrets', '-n', 'ex');
    expect(multi.stdout).toMatch(/configmap\/game-config/);
    expect(multi.stdout).toMatch(/\n\nNAME\s+TYPE\s+DATA\s+AGE\nsecret\/db-credentials\s+Opaque\s+2\s/);
    expect((await k('get', 'cm/a', 'cm/c', '-n', 'gets', '-o', 'name')).stdout).toBe('configmap/a\nconfigmap/c\n');
  });

  it('lists cluster-scoped kinds and knows kubectl short names', async () => {
    const ns = await k('get', 'ns');
    expect(ns.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    expect(ns.stdout).toMatch(/\ngets\s+Active\s/);
    expect((await k('get', 'deploy', '-n', 'ex', '-o', 'name')).stdout).toBe('deployment.apps/hostname\ndeployment.apps/nginx-deployment\n');
  });

  it('prints changes with --watch', async () => {
    const child = (await import('node:child_process')).spawn(process.execPath, [(await import('./harness.js')).CLI, 'get', 'cm', '-n', 'gets', '--watch-only'], {
      env: { ...process.env, KUBESIM_SERVER: cluster.server, KUBESIM_CONFIG: '/nonexistent' },
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      // The watch is open once a change made now shows up; keep making changes until one does.
      const deadline = Date.now() + 20_000;
      let i = 0;
      while (!/\nw\d+\s+1\s/.test(out) && Date.now() < deadline) {
        await k('create', 'cm', `w${i++}`, '-n', 'gets', '--from-literal=x=1');
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(out).toMatch(/^NAME\s+DATA\s+AGE\nw\d+\s+1\s+\d+s\n/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('describe', () => {
  it('describes a pod with its events', async () => {
    expect((await k('apply', '-n', 'desc', '-f', join(EXAMPLES, 'pod-nginx.yaml'))).code).toBe(0);
    const pod = JSON.parse((await k('get', 'pod', 'nginx', '-n', 'desc', '-o', 'json')).stdout);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'nginx.scheduled', namespace: 'desc' },
      involvedObject: { kind: 'Pod', namespace: 'desc', name: 'nginx', uid: pod.metadata.uid, apiVersion: 'v1' },
      reason: 'Scheduled',
      message: 'Successfully assigned desc/nginx to node-1',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    const other = { ...event, metadata: { name: 'other.x', namespace: 'desc' }, involvedObject: { ...event.involvedObject, name: 'other', uid: 'x' }, reason: 'Other' };
    expect((await cluster.kubesim(['create', '-f', '-'], { stdin: JSON.stringify(event) + '\n' + JSON.stringify(other) })).code).toBe(0);
    const r = await k('describe', 'pod', 'nginx', '-n', 'desc');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+nginx\nNamespace:\s+desc\n/);
    expect(r.stdout).toMatch(/\nLabels:\s+app=nginx\n/);
    expect(r.stdout).toMatch(/\nContainers:\n  nginx:\n    Image:\s+nginx:1.25\n    Port:\s+80\/TCP\n/);
    expect(r.stdout).toMatch(/\nEvents:\n  Type\s+Reason\s+Age\s+From\s+Message\n  ----\s+------\s+----\s+----\s+-------\n  Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned desc\/nginx to node-1\n$/);
    expect(r.stdout).not.toContain('Other');
    // The last-applied annotation is kubectl's bookkeeping, not shown.
    expect(r.stdout).toMatch(/\nAnnotations:\s+<none>\n/);
  });

  it('describes other kinds, says <none> for no events, and fails on unknown names', async () => {
    const svc = await k('describe', 'svc', 'my-database', '-n', 'ex');
    expect(svc.stdout).toMatch(/\nType:\s+ExternalName\n/);
    expect(svc.stdout).toMatch(/\nEvents:\s+<none>\n$/);
    const dep = await k('describe', 'deployment', 'hostname', '-n', 'ex');
    expect(dep.stdout).toMatch(/\nReplicas:\s+3 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable\n/);
    expect(dep.stdout).toMatch(/Image:\s+kubesim\/hostname:latest/);
    const missing = await k('describe', 'pod', 'zzz', '-n', 'desc');
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): pods "zzz" not found\n' });
  });
});

describe('label and annotate', () => {
  beforeAll(async () => {
    expect((await k('create', 'cm', 'x', '-n', 'meta')).code).toBe(0);
  });
  it('adds, refuses to overwrite, overwrites and removes labels', async () => {
    expect((await k('label', 'cm', 'x', 'app=a', '-n', 'meta')).stdout).toBe('configmap/x labeled\n');
    const refused = await k('label', 'cm', 'x', 'app=b', '-n', 'meta');
    expect(refused).toMatchObject({ code: 1, stderr: "error: 'app' already has a value (a), and --overwrite is false\n" });
    expect((await k('label', 'configmap/x', 'app=b', 'tier=t', '--overwrite', '-n', 'meta')).stdout).toBe('configmap/x labeled\n');
    expect((await k('label', 'cm', 'x', 'tier-', '-n', 'meta')).stdout).toBe('configmap/x unlabeled\n');
    const obj = JSON.parse((await k('get', 'cm', 'x', '-n', 'meta', '-o', 'json')).stdout);
    expect(obj.metadata.labels).toEqual({ app: 'b' });
  });
  it('annotates', async () => {
    expect((await k('annotate', 'cm', 'x', 'note=hello world', '-n', 'meta')).stdout).toBe('configmap/x annotated\n');
    const obj = JSON.parse((await k('get', 'cm', 'x', '-n', 'meta', '-o', 'json')).stdout);
    expect(obj.metadata.annotations).toEqual({ note: 'hello world' });
    expect((await k('annotate', 'cm', 'x', 'note-', '-n', 'meta')).stdout).toBe('configmap/x annotated\n');
  });
});

describe('delete', () => {
  it('deletes by name, by file and by selector, and waits until gone', async () => {
    for (const n of ['d1', 'd2', 'd3']) await k('create', 'cm', n, '-n', 'del');
    await k('label', 'cm', 'd2', 'd3', 'group=x', '-n', 'del');
    expect((await k('delete', 'cm', 'd1', '-n', 'del')).stdout).toBe('configmap "d1" deleted\n');
    const bySel = await k('delete', 'cm', '-l', 'group=x', '-n', 'del');
    expect(bySel.stdout).toBe('configmap "d2" deleted\nconfigmap "d3" deleted\n');
    expect((await k('get', 'cm', '-n', 'del')).stderr).toBe('No resources found in del namespace.\n');

    expect((await k('apply', '-n', 'del', '-f', join(EXAMPLES, 'service-clusterip.yaml'))).code).toBe(0);
    const byFile = await k('delete', '-n', 'del', '-f', join(EXAMPLES, 'service-clusterip.yaml'));
    expect(byFile).toMatchObject({ code: 0, stdout: 'service "nginx-clusterip" deleted\n' });
    expect((await k('get', 'svc', 'nginx-clusterip', '-n', 'del')).code).toBe(1);
  });
  it('reports NotFound unless told to ignore it', async () => {
    expect(await k('delete', 'pod', 'ghost', '-n', 'del')).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): pods "ghost" not found\n' });
    expect(await k('delete', 'pod', 'ghost', '-n', 'del', '--ignore-not-found')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
  it('deletes everything of a type with --all', async () => {
    for (const n of ['e1', 'e2']) await k('create', 'secret', 'generic', n, '--from-literal=a=b', '-n', 'del');
    expect((await k('delete', 'secrets', '--all', '-n', 'del')).stdout).toBe('secret "e1" deleted\nsecret "e2" deleted\n');
  });
});

describe('errors', () => {
  it('NotFound', async () => {
    expect(await k('get', 'pod', 'nope', '-n', 'errs')).toMatchObject({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  });
  it('AlreadyExists names the file', async () => {
    const file = join(EXAMPLES, 'configmap.yaml');
    expect((await k('create', '-n', 'errs', '-f', file)).code).toBe(0);
    expect(await k('create', '-n', 'errs', '-f', file)).toMatchObject({
      code: 1,
      stderr: `Error from server (AlreadyExists): error when creating "${file}": configmaps "game-config" already exists\n`,
    });
  });
  it('Invalid prints the field errors', async () => {
    const r = await cluster.kubesim(['apply', '-n', 'errs', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Foo_1\nspec:\n  containers:\n  - name: a\n    image: b\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The Pod "Foo_1" is invalid: metadata\.name: Invalid value: "Foo_1": /);
  });
  it('an unknown field aborts before anything is written', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    imagee: nginx\n');
    const r = await k('apply', '-n', 'errs', '-f', file);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: `error: error validating "${file}": error validating data: unknown field "spec.containers[0].imagee"\n` });
    expect((await k('get', 'cm', 'good', '-n', 'errs')).code).toBe(1);
  });
  it('unknown resource types and missing manifests', async () => {
    expect(await k('get', 'widgets')).toMatchObject({ code: 1, stderr: 'error: the server doesn\'t have a resource type "widgets"\n' });
    expect(await k('apply', '-f', join(dir, 'nope.yaml'))).toMatchObject({ code: 1, stderr: `error: the path "${join(dir, 'nope.yaml')}" does not exist\n` });
  });
  it('a refused connection', async () => {
    const port = await freePort();
    const r = await runCli(['get', 'pods', '--server', `127.0.0.1:${port}`], { env: { KUBESIM_CONFIG: '/nonexistent' } });
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: `The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?\n` });
  });
});

describe('version and api-resources', () => {
  it('prints both versions', async () => {
    expect((await k('version')).stdout).toMatch(/^Client Version: v\S+\nServer Version: v\S+\n$/);
  });
  it('lists resources', async () => {
    const r = await k('api-resources');
    expect(r.stdout).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\n/);
    expect(r.stdout).toMatch(/\ndeployments\s+deploy\s+apps\/v1\s+true\s+Deployment\n/);
  });
});
