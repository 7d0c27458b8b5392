import {
  FAULT_STATUSES,
  GENERIC_ERROR_CODES,
  PROVIDER_ERROR_CODES,
  providerErrorStatus,
} from '../../src/provider-errors';
import { PROVIDERS } from '../../src/store';

describe('provider error catalogs', () => {
  const HTTP_PROVIDERS = PROVIDERS.filter((p) => p !== 'smtp');

  it.each(HTTP_PROVIDERS)(
    'answers each generic status with a %s catalog error of that status',
    (provider) => {
      for (const status of FAULT_STATUSES) {
        expect(providerErrorStatus(provider, GENERIC_ERROR_CODES[provider][status])).toBe(status);
      }
    },
  );

  it('answers SMTP generic statuses with replies: 429 a 452, 500 a 451, 503 a 421', () => {
    expect(FAULT_STATUSES.map((s) => providerErrorStatus('smtp', GENERIC_ERROR_CODES.smtp[s]))).toEqual([
      452, 451, 421,
    ]);
  });

  it.each(PROVIDERS)('knows the status of every %s code, and of no other', (provider) => {
    for (const code of PROVIDER_ERROR_CODES[provider]) {
      expect(providerErrorStatus(provider, code)).toEqual(expect.any(Number));
    }
    expect(providerErrorStatus(provider, 'toString')).toBeUndefined();
  });
});
