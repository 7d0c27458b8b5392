import { loadConfig, SandboxConfigError } from '../src/config';

describe('sandbox config', () => {
  it('defaults to 127.0.0.1:8025 with logging', () => {
    expect(loadConfig({})).toEqual({ port: 8025, host: '127.0.0.1', logger: true });
  });

  it('reads the environment', () => {
    expect(loadConfig({ SANDBOX_PORT: '0', SANDBOX_HOST: '0.0.0.0', SANDBOX_LOG: 'false' })).toEqual({
      port: 0,
      host: '0.0.0.0',
      logger: false,
    });
  });

  it('lists every problem at once', () => {
    const attempt = () => loadConfig({ SANDBOX_PORT: '80a', SANDBOX_HOST: ' ', SANDBOX_LOG: 'maybe' });
    expect(attempt).toThrow(SandboxConfigError);
    expect(attempt).toThrow(/SANDBOX_PORT[\s\S]*SANDBOX_HOST[\s\S]*SANDBOX_LOG/);
  });
});
