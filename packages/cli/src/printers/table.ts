// Builds kubectl's table for a list of objects of one kind: header, rows, the NAMESPACE
// column with -A, the LABELS column with --show-labels, "kind/name" names when several
// types are printed together.
import type { KubeObject } from '@kubesim/api';
import { formatLabels, tableFor } from './kinds.js';
import { TABLE, tabulate } from './tabwriter.js';

export interface TableOptions {
  now: Date;
  wide?: boolean;
  /** Adds the NAMESPACE column (for -A on namespaced kinds). */
  withNamespace?: boolean;
  showLabels?: boolean;
  noHeaders?: boolean;
  /** "pod": names print as "pod/nginx". */
  namePrefix?: string;
}

export function tableHeader(kind: string, opts: TableOptions): string[] {
  const t = tableFor(kind);
  const headers = t.columns.filter((c) => opts.wide || !c.wide).map((c) => c.header);
  if (opts.withNamespace) headers.unshift('NAMESPACE');
  if (opts.showLabels) headers.push('LABELS');
  return headers;
}

export function tableRow(kind: string, obj: KubeObject, opts: TableOptions): string[] {
  const t = tableFor(kind);
  const all = t.cells(obj, opts.now);
  const cells = all.filter((_, i) => opts.wide || !t.columns[i]?.wide);
  if (t.nameFirst && opts.namePrefix) cells[0] = `${opts.namePrefix}/${cells[0]}`;
  if (opts.withNamespace) cells.unshift(obj.metadata?.namespace ?? '');
  if (opts.showLabels) cells.push(formatLabels(obj.metadata?.labels));
  return cells;
}

/** The tab-separated lines of a table (header first unless noHeaders). */
export function tableLines(kind: string, objs: KubeObject[], opts: TableOptions): string[] {
  const lines = objs.map((o) => tableRow(kind, o, opts).join('\t'));
  if (!opts.noHeaders) lines.unshift(tableHeader(kind, opts).join('\t'));
  return lines;
}

/** The aligned table text. */
export function printTable(kind: string, objs: KubeObject[], opts: TableOptions): string {
  return tabulate(tableLines(kind, objs, opts), TABLE);
}
