import { urlPattern } from '../../src/http/route-limits';

describe('urlPattern', () => {
  it.each([
    ['/v1/notifications/batch', '/v1/notifications/batch', true],
    ['/v1/notifications/batch', '/v1/notifications/batchx', false],
    ['/v1/notifications/batch', '/v1/notifications', false],
    ['/v1/users/:id/devices', '/v1/users/ada/devices', true],
    ['/v1/users/:id/devices', '/v1/users/a/b/devices', false],
    ['/v1/users/:id(^\\d+)/devices', '/v1/users/42/devices', true],
    ['/files/*', '/files/a/b.txt', true],
    ['/time/12::30', '/time/12:30', true],
    ['/a.b', '/aXb', false],
  ])('%s matches %s: %s', (url, path, matches) => {
    expect(urlPattern(url).test(path)).toBe(matches);
  });
});
