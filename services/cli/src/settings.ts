/** CLI settings: flags win over environment variables, which win over defaults (spec §7). */
import type * as E from 'fp-ts/lib/Either.js';
import {
  DEFAULT_CURRENCY,
  DEFAULT_TIMEZONE,
  resolveSettings,
  type DeploymentSettings,
} from '@chanperf/domain';

export function settingsFrom(
  flags: { timezone?: string | undefined; currency?: string | undefined },
  env: NodeJS.ProcessEnv,
): E.Either<string, DeploymentSettings> {
  return resolveSettings(
    flags.timezone ?? env.CHANPERF_TIMEZONE ?? DEFAULT_TIMEZONE,
    flags.currency ?? env.CHANPERF_CURRENCY ?? DEFAULT_CURRENCY,
  );
}
