// `kubesim images ...`: image verbs for docker-compose clusters.
import type { Command } from 'commander';

export function registerImageVerbs(program: Command): void {
  const images = program.command('images').description('manage the images in the nodes of a docker-compose cluster');
  images
    .command('load')
    .description("load images from this host's Docker engine into every node of a docker-compose cluster (as `kind load docker-image`)")
    .argument('<image...>', 'images to load, e.g. kubesim/hostname:latest')
    .option('--name <cluster>', 'the cluster: its node containers are CLUSTER-node-N (KUBESIM_NAME of the compose file)', 'kubesim')
    .action(async (list: string[], o: { name: string }) => {
      const { loadImages } = await import('./load.js');
      try {
        await loadImages(list, o.name, (line) => console.log(line));
      } catch (err) {
        console.error(`error: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    });
}
