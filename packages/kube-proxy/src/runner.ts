// How iptables commands run: on this host, or inside a network namespace through
// `ip netns exec` (tests, and node agents that own a namespace). Injectable so the proxy
// logic never assumes where its rules live.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args...`, feeding `input` on stdin; resolves with the exit code (never rejects on a non-zero exit). */
export type CommandRunner = (cmd: string, args: string[], input?: string) => Promise<CommandResult>;

function run(cmd: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => {}); // a command that exits early closes its stdin; the exit code tells the story
    child.stdin.end(input ?? '');
  });
}

/** Runs commands in this process's network namespace. */
export const hostRunner: CommandRunner = run;

/** Runs commands in the named network namespace (`ip netns exec NS ...`). */
export function netnsRunner(namespace: string): CommandRunner {
  return (cmd, args, input) => run('ip', ['netns', 'exec', namespace, cmd, ...args], input);
}
