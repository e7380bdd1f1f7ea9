// Reading iptables-save output: which chains exist and which rules sit in which chain,
// with arguments split the way the shell would (comments are double-quoted).

export interface SavedRule {
  chain: string;
  /** The arguments after "-A CHAIN", unquoted. */
  args: string[];
  /** The original line. */
  line: string;
}

export interface SavedTable {
  chains: string[];
  rules: SavedRule[];
}

/** Splits a rule line into arguments, honouring "double quotes" and backslash escapes. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '\\' && i + 1 < line.length) cur += line[++i];
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') {
      quoted = true;
      inArg = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inArg) out.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += ch;
      inArg = true;
    }
  }
  if (inArg) out.push(cur);
  return out;
}

/** Parses one table of `iptables-save` output (`-t TABLE`); other tables are ignored. */
export function parseSave(text: string, table: string): SavedTable {
  const result: SavedTable = { chains: [], rules: [] };
  let inTable = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('*')) {
      inTable = line.slice(1) === table;
      continue;
    }
    if (!inTable) continue;
    if (line.startsWith(':')) result.chains.push(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ')) {
      const args = splitArgs(line);
      result.rules.push({ chain: args[1], args: args.slice(2), line });
    }
  }
  return result;
}

/** The value of `--comment` in a rule, if any. */
export function commentOf(args: string[]): string | undefined {
  const i = args.indexOf('--comment');
  return i >= 0 ? args[i + 1] : undefined;
}
