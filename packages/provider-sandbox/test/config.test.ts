import { generateKeyPairSync } from 'node:crypto';
import { loadConfig, SandboxConfigError } from '../src/config';
import { sendGridVerificationKey } from '../src/webhooks/keys';

describe('sandbox config', () => {
  it('defaults to 127.0.0.1:8025, SMTP on 2525, with logging', () => {
    expect(loadConfig({})).toEqual({ port: 8025, smtpPort: 2525, host: '127.0.0.1', logger: true });
  });

  it('reads the environment', () => {
    expect(
      loadConfig({
        SANDBOX_PORT: '0',
        SANDBOX_SMTP_PORT: '0',
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_LOG: 'false',
      }),
    ).toEqual({ port: 0, smtpPort: 0, host: '0.0.0.0', logger: false });
  });

  it('lists every problem at once', () => {
    const attempt = () =>
      loadConfig({
        SANDBOX_PORT: '80a',
        SANDBOX_SMTP_PORT: '65536',
        SANDBOX_HOST: ' ',
        SANDBOX_LOG: 'maybe',
      });
    expect(attempt).toThrow(SandboxConfigError);
    expect(attempt).toThrow(
      /SANDBOX_PORT[\s\S]*SANDBOX_SMTP_PORT must be a port number, got '65536'[\s\S]*SANDBOX_HOST[\s\S]*SANDBOX_LOG/,
    );
  });

  it('reads the SendGrid webhook key (base64 PKCS#8 DER or PEM) and URL', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const expected = sendGridVerificationKey(privateKey);
    for (const key of [
      privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    ]) {
      const config = loadConfig({
        SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY: key,
        SANDBOX_SENDGRID_WEBHOOK_URL: 'http://127.0.0.1:8080/v1/webhooks/sendgrid',
      });
      expect(sendGridVerificationKey(config.sendgridWebhookPrivateKey!)).toBe(expected);
      expect(config.sendgridWebhookUrl).toBe('http://127.0.0.1:8080/v1/webhooks/sendgrid');
    }
  });

  it('has no SendGrid webhook key or URL when they are unset or empty', () => {
    const config = loadConfig({ SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY: '', SANDBOX_SENDGRID_WEBHOOK_URL: '' });
    expect(config).not.toHaveProperty('sendgridWebhookPrivateKey');
    expect(config).not.toHaveProperty('sendgridWebhookUrl');
  });

  it('says what is wrong with the SendGrid webhook key and URL', () => {
    const ed25519 = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'der' })
      .toString('base64');
    const attempt = () =>
      loadConfig({
        SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY: ed25519,
        SANDBOX_SENDGRID_WEBHOOK_URL: 'localhost:8080',
      });
    expect(attempt).toThrow(
      /SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY must be an EC P-256 private key, base64 PKCS#8 DER or PEM \(expected an EC P-256 \(prime256v1\) key, got ed25519\)/,
    );
    expect(attempt).toThrow(
      /SANDBOX_SENDGRID_WEBHOOK_URL must be an absolute http or https URL, got 'localhost:8080'/,
    );
  });

  it('reads the Twilio callback origin, as URL spells an origin', () => {
    for (const [raw, origin] of [
      ['http://ingest:8080', 'http://ingest:8080'],
      [' https://Herald.Example.com/ ', 'https://herald.example.com'],
      ['https://herald.example.com:443', 'https://herald.example.com'],
    ]) {
      expect(loadConfig({ SANDBOX_TWILIO_CALLBACK_ORIGIN: raw }).twilioCallbackOrigin).toBe(origin);
    }
    expect(loadConfig({ SANDBOX_TWILIO_CALLBACK_ORIGIN: '' })).not.toHaveProperty('twilioCallbackOrigin');
  });

  it('says what is wrong with the Twilio callback origin, with the other problems', () => {
    for (const bad of [
      'ingest:8080',
      'ftp://ingest:8080',
      'http://ingest:8080/v1/webhooks/twilio',
      'http://ingest:8080/?x=1',
      'http://ingest:8080#top',
      'http://user:pass@ingest:8080',
      'http://',
    ]) {
      const attempt = () => loadConfig({ SANDBOX_TWILIO_CALLBACK_ORIGIN: bad, SANDBOX_LOG: 'maybe' });
      expect(attempt).toThrow(SandboxConfigError);
      expect(attempt).toThrow(
        `SANDBOX_TWILIO_CALLBACK_ORIGIN must be an absolute http or https origin (scheme, host, port; no path), such as http://ingest:8080, got '${bad}'`,
      );
      expect(attempt).toThrow(/SANDBOX_LOG must be true or false/);
    }
  });
});
