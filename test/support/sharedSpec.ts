/**
 * The spec's shared folder, `../shared/spec` beside the repository (the domain rules, and the
 * examples with their expected reports), for every test that reads it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED_SPEC = fileURLToPath(new URL('../../../shared/spec/', import.meta.url));

/** The path of `parts` under the shared spec folder: `sharedSpec('examples', 'basic.ndjson')`. */
export function sharedSpec(...parts: string[]): string {
  return join(SHARED_SPEC, ...parts);
}

/** The spec's examples (`NAME.ndjson` and `NAME.report.json`), with a trailing `/`. */
export const EXAMPLES = sharedSpec('examples/');

/** (v2) The v2 spec's examples, with a trailing `/`. */
export const EXAMPLES_V2 = sharedSpec('examples-v2/');
