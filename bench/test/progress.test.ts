import { formatRate, progressLine } from '../src/progress';

describe('progress', () => {
  it('formats rates compactly', () => {
    expect(formatRate(null)).toBe('–');
    expect(formatRate(12.4)).toBe('12/s');
    expect(formatRate(1234)).toBe('1.2k/s');
    expect(formatRate(45_678)).toBe('46k/s');
  });

  it('prints counts and the rates since the previous line', () => {
    const line = progressLine(
      'a1 · sandbox 0 ms',
      6000,
      { accepted: 3000, failed: 2, delivered: 900, expected: 4000 },
      { accepted: 1000, delivered: 300, at: 1000 },
      3000,
    );
    expect(line).toBe(
      '[a1 · sandbox 0 ms]    6s  accepted 3000 (1.0k/s)  delivered 900/4000 (300/s)  failed 2',
    );
  });
});
