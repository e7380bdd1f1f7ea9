// The `kubesim chaos run FILE [--out DIR]` action: parse, run, print the timeline, write
// timeline.json and plot.svg. Fails (exit 1) when the experiment failed, after writing them.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseExperiment } from './parse.js';
import { runExperiment } from './runner.js';
import { renderSvg } from './svg.js';
import { probeLines, timelineTable } from './table.js';

export interface RunCommandOptions {
  out?: string;
  say?: (line: string) => void;
}

/** experiment-NAME-20261123-061502: the default output folder. */
export function defaultOutDir(name: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `experiment-${name}-${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
}

export async function runExperimentCommand(cluster: string, file: string, opts: RunCommandOptions = {}): Promise<string[]> {
  const say = opts.say ?? ((l: string) => process.stdout.write(l + '\n'));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`the path "${file}" does not exist`);
  }
  const exp = parseExperiment(text, file, dirname(resolve(file)));
  const out = resolve(opts.out ?? defaultOutDir(exp.name, new Date()));
  say(`experiment ${exp.name} on cluster "${cluster}"`);
  const { file: tl, error } = await runExperiment(exp, { cluster, say });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'timeline.json'), JSON.stringify(tl, null, 2) + '\n');
  await writeFile(join(out, 'plot.svg'), renderSvg(tl));
  say('');
  for (const l of timelineTable({ t0: tl.t0, entries: tl.entries, readyPods: tl.readyPods, probes: tl.probes })) say(l);
  say('');
  for (const l of probeLines({ t0: tl.t0, entries: tl.entries, readyPods: tl.readyPods, probes: tl.probes })) say(l);
  const wrote = `wrote ${join(out, 'timeline.json')} and ${join(out, 'plot.svg')}`;
  if (error) throw new Error(`experiment ${exp.name} failed: ${error.message} (${wrote})`);
  return [wrote, `experiment ${exp.name} succeeded`];
}
