// Column alignment with the semantics of Go's text/tabwriter, which kubectl's tables and
// `describe` output are made with: cells are tab-terminated; a column block is a run of
// consecutive lines that have a terminated cell in that column, and its width is the widest
// cell + padding (at least minWidth). The last cell of a line is never padded.

export interface TabOptions {
  minWidth: number;
  padding: number;
}

/** kubectl get's table writer. */
export const TABLE: TabOptions = { minWidth: 6, padding: 3 };
/** kubectl describe's writer. */
export const DESCRIBE: TabOptions = { minWidth: 0, padding: 2 };

const width = (s: string): number => [...s].length;

/** Aligns tab-separated lines; returns the text with a newline after every line. */
export function tabulate(lines: string[], opts: TabOptions = TABLE): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const line = cells[i];
      let s = '';
      line.forEach((c, j) => {
        s += j < widths.length && j < line.length - 1 ? c + ' '.repeat(Math.max(0, widths[j] - width(c))) : c;
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= cells[cur].length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let w = opts.minWidth;
      for (; cur < line1; cur++) {
        const line = cells[cur];
        if (column >= line.length - 1) break;
        w = Math.max(w, width(line[column]) + opts.padding);
      }
      widths.push(w);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--; // the outer loop's increment re-examines the line that ended the block
    }
    writeLines(line0, line1);
  };

  format(0, cells.length);
  return out.map((l) => l + '\n').join('');
}

/**
 * Rows printed one at a time (get --watch): each column keeps the widest width seen so
 * far, as tabwriter's RememberWidths does across flushes.
 */
export class StreamingTable {
  private widths: number[] = [];
  constructor(private readonly opts: TabOptions = TABLE) {}

  row(cells: string[]): string {
    return (
      cells
        .map((c, i) => {
          if (i === cells.length - 1) return c;
          this.widths[i] = Math.max(this.widths[i] ?? this.opts.minWidth, width(c) + this.opts.padding);
          return c + ' '.repeat(this.widths[i] - width(c));
        })
        .join('') + '\n'
    );
  }
}
