import { countSegments, isE164 } from '../../src/domain/sms';

describe('isE164', () => {
  it.each(['+14155550100', '+447911123456', '+33612345678', '+861234567890123', '+6834001'])(
    'accepts %s',
    (n) => expect(isE164(n)).toBe(true),
  );
  it.each([
    ['no plus', '14155550100'],
    ['a leading zero country code', '+04155550100'],
    ['spaces', '+1 415 555 0100'],
    ['too short (6 digits)', '+123456'],
    ['too long (16 digits)', '+1234567890123456'],
    ['letters', '+1415555CALL'],
    ['empty', ''],
  ])('refuses %s', (_why, n) => expect(isE164(n)).toBe(false));
});

describe('countSegments', () => {
  it('fits 160 GSM-7 characters in one segment, then 153 per part', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts an extension character (€, [, ]) as two septets and never splits it', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('€'.repeat(81)).segments).toBe(2);
    // 152 septets, then an escape pair that would straddle the part's edge: it moves to part two.
    const edge = `${'a'.repeat(152)}€${'a'.repeat(10)}`;
    expect(countSegments(edge)).toEqual({ encoding: 'GSM-7', units: 164, segments: 2 });
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
  });

  it('switches the whole message to UCS-2 for one character outside GSM-7: 70, then 67 per part', () => {
    expect(countSegments(`${'a'.repeat(69)}ç`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments(`${'a'.repeat(70)}ç`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('é'.repeat(134)).encoding).toBe('GSM-7'); // é is in GSM-7
    expect(countSegments('ж'.repeat(134)).segments).toBe(2);
    expect(countSegments('ж'.repeat(135)).segments).toBe(3);
  });

  it('counts an emoji as two UTF-16 units and never splits the pair', () => {
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    // 66 units then a pair at the edge of part one: it goes whole into part two.
    expect(countSegments(`${'ж'.repeat(66)}😀${'ж'.repeat(10)}`)).toEqual({
      encoding: 'UCS-2',
      units: 78,
      segments: 2,
    });
  });

  it('takes no segment for an empty body', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });
});
