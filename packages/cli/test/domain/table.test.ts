import { formatTable } from '../../src/domain/table';

describe('formatTable', () => {
  it('pads columns, aligns numbers right, cuts long values and leaves no trailing spaces', () => {
    const rows = [
      { name: 'herald-router.normal', lag: 1200, note: 'a very long note that goes on' },
      { name: 'x', lag: 3, note: null },
    ];
    const text = formatTable(
      [
        { header: 'GROUP', value: (r: (typeof rows)[number]) => r.name },
        { header: 'LAG', value: (r) => r.lag, align: 'right' },
        { header: 'NOTE', value: (r) => r.note, max: 10 },
      ],
      rows,
    );
    expect(text.split('\n')).toEqual([
      'GROUP                  LAG  NOTE',
      'herald-router.normal  1200  a very lo…',
      'x                        3  -',
    ]);
  });

  it('flattens whitespace inside a cell so a row stays one line', () => {
    expect(formatTable([{ header: 'E', value: (r: string) => r }], ['a\nb\tc'])).toBe('E\na b c');
  });
});
