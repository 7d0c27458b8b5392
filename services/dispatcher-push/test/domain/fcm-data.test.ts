import { toFcmData } from '../../src/domain/fcm-data';

describe('toFcmData', () => {
  it('keeps string values', () => {
    expect(toFcmData('{"orderId":"42","screen":"orders"}')).toEqual({ orderId: '42', screen: 'orders' });
  });

  it('sends other values as JSON text and leaves nulls out', () => {
    expect(toFcmData('{"n":1,"ok":true,"tags":["a"],"o":{"k":"v"},"gone":null}')).toEqual({
      n: '1',
      ok: 'true',
      tags: '["a"]',
      o: '{"k":"v"}',
    });
  });

  it('treats an empty string as no data', () => {
    expect(toFcmData('')).toEqual({});
  });

  it.each(['not json', '[]', '"s"', '1', 'null'])('refuses %s', (json) => {
    expect(toFcmData(json)).toBeNull();
  });
});
