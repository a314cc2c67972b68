/**
 * `chanperf serve` refuses a webhook URL with credentials: exit code 2, one line on stderr
 * naming the variable, and the secret nowhere in the output.
 */
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';

describe('chanperf serve with CHANPERF_WEBHOOK_URL=https://user:pass@host/…', () => {
  it('given credentials in the URL, then it exits 2 with one line that does not echo them', () => {
    const run = chanperf(['serve'], {
      CHANPERF_HTTP_PORT: '0',
      // Unusable, and only found after the configuration: a serve that accepted the URL would
      // stop here (exit 1) instead of running until a signal.
      CHANPERF_DATA_DIR: '/dev/null/chanperf',
      CHANPERF_WEBHOOK_URL: 'https://alice:hunter2-s3cret@alerts.example.com/chanperf',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^chanperf: serve: CHANPERF_WEBHOOK_URL: must not carry credentials/);
    expect(run.stderr).not.toMatch(/hunter2|alice/);
  });
});
