// Writes a node's rules: one `iptables-restore --noflush` per sync, atomic, touching only
// the node's own chains (declared = flushed and rewritten), deleting its stale chains, and
// keeping its jump rules in the built-in chains (checked with -C, inserted at the top so
// Docker's own rules cannot shadow them). Nothing else in the tables is read-modified.
import type { Logger } from 'pino';
import { CHAIN_PREFIX, nodeChainPrefix, nodeComment } from './names.js';
import { renderRestore, ruleLine, type JumpRule, type ProxyRules, type Table } from './rules.js';
import { hostRunner, type CommandRunner } from './runner.js';
import { commentOf, parseSave, type SavedRule } from './save.js';

const TABLES: Table[] = ['filter', 'nat'];
const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
/** Seconds iptables waits for the xtables lock (legacy backend; nf_tables ignores it). */
const WAIT = ['-w', '5'];

export interface IptablesApplierOptions {
  nodeName: string;
  runner?: CommandRunner;
  logger?: Logger;
}

export interface ApplyResult {
  /** False when the rules were unchanged since the last successful write and not forced. */
  written: boolean;
  staleChains: string[];
  jumpsInserted: number;
  jumpsDeleted: number;
}

async function mustRun(runner: CommandRunner, cmd: string, args: string[], input?: string): Promise<string> {
  const r = await runner(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

async function restore(runner: CommandRunner, text: string): Promise<void> {
  await mustRun(runner, 'iptables-restore', [...WAIT, '--noflush'], text);
}

const sameArgs = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const targetOf = (args: string[]) => args[args.lastIndexOf('-j') + 1];

export class IptablesApplier {
  private readonly runner: CommandRunner;
  private readonly prefix: string;
  private readonly comment: string;
  private lastText: string | undefined;

  constructor(private readonly opts: IptablesApplierOptions) {
    this.runner = opts.runner ?? hostRunner;
    this.prefix = nodeChainPrefix(opts.nodeName);
    this.comment = nodeComment(opts.nodeName);
  }

  /** Forgets what was written, so the next apply writes even if the rules are unchanged. */
  invalidate(): void {
    this.lastText = undefined;
  }

  async apply(rules: ProxyRules, opts: { force?: boolean } = {}): Promise<ApplyResult> {
    if (!opts.force && rules.text === this.lastText) return { written: false, staleChains: [], jumpsInserted: 0, jumpsDeleted: 0 };
    const saved = await mustRun(this.runner, 'iptables-save', []);
    const extra: Partial<Record<Table, { chains: string[]; lines: string[] }>> = {};
    const result: ApplyResult = { written: true, staleChains: [], jumpsInserted: 0, jumpsDeleted: 0 };
    for (const table of TABLES) {
      const current = parseSave(saved, table);
      const desired = new Set(rules.tables[table].chains);
      const stale = current.chains.filter((c) => c.startsWith(this.prefix) && !desired.has(c));
      const wanted = rules.jumps.filter((j) => j.table === table);
      const ours = current.rules.filter((r) => BUILTIN.has(r.chain) && commentOf(r.args) === this.comment);
      const missing: JumpRule[] = [];
      // Jumps that exist but that iptables prints differently from how we wrote them:
      // never delete a rule of theirs (chain + target), or a sync would remove what it keeps.
      const keepTargets = new Set<string>();
      for (const j of wanted) {
        if (ours.some((r) => r.chain === j.chain && sameArgs(r.args, j.args))) continue;
        const check = await this.runner('iptables', [...WAIT, '-t', table, '-C', j.chain, ...j.args]);
        if (check.code === 0) keepTargets.add(`${j.chain} ${targetOf(j.args)}`);
        else missing.push(j);
      }
      const staleJumps = ours.filter(
        (r) => !wanted.some((j) => j.chain === r.chain && sameArgs(r.args, j.args)) && !keepTargets.has(`${r.chain} ${targetOf(r.args)}`),
      );
      // Order inside the transaction: delete stale jumps, then the (flushed) stale chains,
      // then insert missing jumps; reversed so that the final order is the listed order.
      const lines = [
        ...staleJumps.map((r) => deleteLine(r)),
        ...stale.map((c) => `-X ${c}`),
        ...[...missing].reverse().map((j) => ruleLine('-I', j.chain, ['1', ...j.args])),
      ];
      extra[table] = { chains: stale, lines };
      result.staleChains.push(...stale);
      result.jumpsInserted += missing.length;
      result.jumpsDeleted += staleJumps.length;
    }
    await restore(this.runner, renderRestore(rules.tables, extra));
    this.lastText = rules.text;
    if (result.staleChains.length || result.jumpsInserted || result.jumpsDeleted) {
      this.opts.logger?.debug({ staleChains: result.staleChains.length, jumpsInserted: result.jumpsInserted, jumpsDeleted: result.jumpsDeleted }, 'iptables housekeeping');
    }
    return result;
  }
}

function deleteLine(r: SavedRule): string {
  // The saved line fed back with -D: iptables matches it exactly as it printed it.
  return `-D${r.line.slice(2)}`;
}

/**
 * Removes chains whose name passes `ownsChain` and rules (outside those chains) whose
 * comment passes `ownsRule`, in one transaction. Returns how many chains and rules went.
 */
async function removeRules(runner: CommandRunner, ownsChain: (c: string) => boolean, ownsRule: (comment: string) => boolean): Promise<{ chains: number; rules: number }> {
  const saved = await mustRun(runner, 'iptables-save', []);
  const out: string[] = [];
  let chains = 0;
  let rules = 0;
  for (const table of ['filter', 'nat', 'mangle', 'raw']) {
    const current = parseSave(saved, table);
    const gone = current.chains.filter(ownsChain);
    const jumps = current.rules.filter((r) => !ownsChain(r.chain) && ownsRule(commentOf(r.args) ?? ''));
    if (!gone.length && !jumps.length) continue;
    out.push(`*${table}`, ...gone.map((c) => `:${c} - [0:0]`), ...jumps.map(deleteLine), ...gone.map((c) => `-X ${c}`), 'COMMIT');
    chains += gone.length;
    rules += jumps.length;
  }
  if (out.length) await restore(runner, out.join('\n') + '\n');
  return { chains, rules };
}

/** Removes every chain and jump rule of one node (its proxy stopped for good). */
export function removeNodeRules(nodeName: string, runner: CommandRunner = hostRunner): Promise<{ chains: number; rules: number }> {
  const prefix = nodeChainPrefix(nodeName);
  const comment = nodeComment(nodeName);
  return removeRules(runner, (c) => c.startsWith(prefix), (c) => c === comment);
}

/** Removes every kubesim chain and jump rule of every node (`kubesim down`). */
export function removeAllKubesimRules(runner: CommandRunner = hostRunner): Promise<{ chains: number; rules: number }> {
  return removeRules(runner, (c) => c.startsWith(CHAIN_PREFIX), (c) => c.startsWith('kubesim node='));
}

/**
 * Checks that iptables accepts what the proxy writes (nat DNAT with -m statistic and
 * -m recent, filter REJECT), without committing anything (`iptables-restore --test`).
 * Resolves with the reason when it does not.
 */
export async function checkIptables(runner: CommandRunner = hostRunner): Promise<{ ok: true } | { ok: false; reason: string }> {
  const probe = [
    '*filter',
    ':KUBESIM-PROBE - [0:0]',
    '-A KUBESIM-PROBE -d 10.96.0.1/32 -p tcp -m tcp --dport 1 -m conntrack --ctstate NEW -m comment --comment "kubesim probe" -j REJECT --reject-with tcp-reset',
    'COMMIT',
    '*nat',
    ':KUBESIM-PROBE - [0:0]',
    '-A KUBESIM-PROBE -m addrtype --dst-type LOCAL -m recent --name KUBESIM-PROBE --rcheck --seconds 10 --reap -j MARK --or-mark 0x4000',
    '-A KUBESIM-PROBE -p tcp -m statistic --mode random --probability 0.5000000000 -m recent --name KUBESIM-PROBE --set -m tcp -j DNAT --to-destination 10.96.0.2:1',
    '-A KUBESIM-PROBE -m mark --mark 0x4000/0x4000 -j MASQUERADE --random-fully',
    'COMMIT',
    '',
  ].join('\n');
  try {
    const r = await runner('iptables-restore', ['--test', '--noflush'], probe);
    return r.code === 0 ? { ok: true } : { ok: false, reason: r.stderr.trim() || `exit ${r.code}` };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
