import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const KEYS = JSON.stringify([{ key: 'analyst-key-0123456789', role: 'analyst' }]);

describe('loadConfig: the webhook URL', () => {
  it.each([
    ['a user and a password', 'https://alice:hunter2-s3cret@alerts.example.com/chanperf'],
    ['a token as the user', 'https://hunter2-s3cret@alerts.example.com/chanperf'],
    ['an empty user and a password', 'https://:hunter2-s3cret@alerts.example.com/chanperf'],
  ])('given a URL with %s, then start-up is refused naming the variable, not the secret', (_name, url) => {
    const config = loadConfig({ CHANPERF_WEBHOOK_URL: url });
    expect(E.isLeft(config)).toBe(true);
    const message = E.isLeft(config) ? config.left : '';
    expect(message).toMatch(/^CHANPERF_WEBHOOK_URL: /);
    expect(message).toMatch(/credentials/);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('alice');
  });

  it('given a URL without credentials, then it is accepted as it is', () => {
    const config = loadConfig({ CHANPERF_WEBHOOK_URL: 'https://alerts.example.com/chanperf?x=1' });
    expect(E.isRight(config) && config.right.webhook?.url).toBe('https://alerts.example.com/chanperf?x=1');
  });
});

describe('loadConfig: the webhook secret', () => {
  const url = 'https://alerts.example.com/chanperf';

  it('accepts a Standard Webhooks secret (whsec_ + base64) and any other secret as it is', () => {
    for (const secret of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 's3cret']) {
      const config = loadConfig({ CHANPERF_WEBHOOK_URL: url, CHANPERF_WEBHOOK_SECRET: secret });
      expect(E.isRight(config) && config.right.webhook?.secret).toBe(secret);
    }
  });

  it('given whsec_ followed by something that is not base64, then start-up is refused without echoing it', () => {
    const config = loadConfig({ CHANPERF_WEBHOOK_URL: url, CHANPERF_WEBHOOK_SECRET: 'whsec_not base64!!' });
    expect(E.isLeft(config) && config.left).toMatch(/^CHANPERF_WEBHOOK_SECRET: /);
    expect(E.isLeft(config) && config.left).not.toContain('not base64!!');
  });
});

describe('loadConfig: /metrics', () => {
  it('keeps /metrics behind the keys by default', () => {
    const config = loadConfig({ CHANPERF_API_KEYS: KEYS });
    expect(E.isRight(config) && config.right.metricsPublic).toBe(false);
  });

  it('given CHANPERF_METRICS_PUBLIC=true, then /metrics is public', () => {
    const config = loadConfig({ CHANPERF_API_KEYS: KEYS, CHANPERF_METRICS_PUBLIC: 'true' });
    expect(E.isRight(config) && config.right.metricsPublic).toBe(true);
  });

  it('given CHANPERF_METRICS_PUBLIC=yes, then start-up is refused naming the variable', () => {
    const config = loadConfig({ CHANPERF_API_KEYS: KEYS, CHANPERF_METRICS_PUBLIC: 'yes' });
    expect(E.isLeft(config) && config.left).toMatch(/^CHANPERF_METRICS_PUBLIC: /);
  });
});
