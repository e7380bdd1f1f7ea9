// `kubesim images load IMAGE... [--name CLUSTER]`: copies images from this host's Docker
// engine into the engine of every node container of a docker-compose cluster, as
// `kind load docker-image` does. Each image is saved once to a temporary tarball, then
// loaded into all running nodes at once.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterNodeContainers, parseContainerRows, NODE_LABEL } from './nodes.js';

function docker(args: string[], stdinFile?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: [stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`docker: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(Buffer.concat(err).toString().trim() || `docker ${args[0]} exited ${code}`))));
    if (stdinFile && child.stdin) createReadStream(stdinFile).on('error', reject).pipe(child.stdin);
  });
}

export interface LoadResult {
  image: string;
  node: string;
}

/** Loads `images` into every running node container of cluster `name`; returns what went where. */
export async function loadImages(images: string[], name: string, log: (line: string) => void): Promise<LoadResult[]> {
  const rows = parseContainerRows(await docker(['ps', '-a', '--filter', `label=${NODE_LABEL}=true`, '--format', '{{.Names}}\t{{.State}}\t{{.Labels}}']));
  const nodes = clusterNodeContainers(rows, name);
  if (!nodes.length) {
    throw new Error(`no node containers of cluster "${name}" (docker-compose mode: containers ${name}-node-N); nodes of \`kubesim up\` use this host's engine and need no load`);
  }
  const running = nodes.filter((n) => n.running);
  for (const n of nodes) if (!n.running) log(`skipping ${n.name}: not running`);
  for (const image of images) await docker(['image', 'inspect', '-f', '{{.Id}}', image]).catch(() => Promise.reject(new Error(`image "${image}" is not present locally`)));
  const dir = await mkdtemp(join(tmpdir(), 'kubesim-images-'));
  const done: LoadResult[] = [];
  try {
    for (const image of images) {
      const file = join(dir, 'image.tar');
      await docker(['save', '-o', file, image]);
      await Promise.all(
        running.map(async (n) => {
          await docker(['exec', '-i', n.name, 'docker', 'load', '-q'], file);
          log(`Image: "${image}" loaded into node "${n.name}"`);
          done.push({ image, node: n.name });
        }),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return done;
}
