import { describe, expect, it } from 'vitest';
import { DESCRIBE, StreamingTable, tabulate } from './tabwriter.js';

describe('tabulate', () => {
  it('aligns a table like kubectl get (padding 3, min width 6, last column unpadded)', () => {
    const out = tabulate(['NAME\tREADY\tSTATUS\tAGE', 'nginx\t1/1\tRunning\t5s', 'web-7d9c4b6f5-abcde\t0/1\tContainerCreating\t10m']);
    expect(out).toBe(
      'NAME                  READY   STATUS              AGE\n' +
        'nginx                 1/1     Running             5s\n' +
        'web-7d9c4b6f5-abcde   0/1     ContainerCreating   10m\n',
    );
  });
  it('uses the minimum width for narrow columns', () => {
    expect(tabulate(['A\tB', 'x\ty'])).toBe('A     B\nx     y\n');
  });
  it('aligns only runs of lines that have the column (describe)', () => {
    const out = tabulate(['Name:\tnginx', 'Namespace:\tdefault', 'Containers:', '  nginx:', '    Image:\tnginx', '    Restart Count:\t0', 'Events:\t<none>'], DESCRIBE);
    expect(out).toBe(
      'Name:       nginx\n' +
        'Namespace:  default\n' +
        'Containers:\n' +
        '  nginx:\n' +
        '    Image:          nginx\n' +
        '    Restart Count:  0\n' +
        // A run of cell lines spans indentation levels, as kubectl's "Events:" line shows.
        'Events:             <none>\n',
    );
  });
  it('handles nested column blocks', () => {
    const out = tabulate(['a\tb\tc', 'aaaa\tb', 'a\tbbbbbbb\tc'], { minWidth: 0, padding: 1 });
    expect(out).toBe('a    b c\naaaa b\na    bbbbbbb c\n');
  });
});

describe('StreamingTable', () => {
  it('keeps column widths across rows and grows them', () => {
    const t = new StreamingTable();
    expect(t.row(['NAME', 'READY', 'AGE'])).toBe('NAME   READY   AGE\n');
    expect(t.row(['a', '1/1', '5s'])).toBe('a      1/1     5s\n');
    expect(t.row(['longer-name', '1/1', '5s'])).toBe('longer-name   1/1     5s\n');
  });
});
