import {
  FAULT_STATUSES,
  GENERIC_ERROR_CODES,
  PROVIDER_ERROR_CODES,
  providerErrorStatus,
} from '../../src/provider-errors';
import { PROVIDERS } from '../../src/store';

describe('provider error catalogs', () => {
  it.each(PROVIDERS)('answers each generic status with a %s catalog error of that status', (provider) => {
    for (const status of FAULT_STATUSES) {
      expect(providerErrorStatus(provider, GENERIC_ERROR_CODES[provider][status])).toBe(status);
    }
  });

  it.each(PROVIDERS)('knows the status of every %s code, and of no other', (provider) => {
    for (const code of PROVIDER_ERROR_CODES[provider]) {
      expect(providerErrorStatus(provider, code)).toEqual(expect.any(Number));
    }
    expect(providerErrorStatus(provider, 'toString')).toBeUndefined();
  });
});
