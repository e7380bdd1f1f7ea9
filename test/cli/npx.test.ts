// README's commands run `npx kubesim ...` from the repository root after the set-up
// command: node_modules/.bin/kubesim must be linked by `npm ci` (which runs before the
// build, hence the committed bin shim) and must start the built CLI.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npx kubesim from the repository root', () => {
  it('is linked by npm and runs the built CLI', async () => {
    expect(existsSync(`${ROOT}/node_modules/.bin/kubesim`)).toBe(true);
    const { stdout } = await exec('npx', ['--no-install', 'kubesim', '--help'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toContain('Usage: kubesim');
    expect(stdout).toContain('apply');
  });
});
