/** The command's result on stdout (logs go to stderr): written in order, waiting for it to drain. */
import { collectAboveHeapCeiling } from './heapCeiling.js';
import { outputChunks } from './outputChunks.js';

/** Writes `text` to stdout; resolves once it is handed to the system. */
export function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes pieces of text (a report's JSON) in chunks of about 1 MiB, then a newline. */
export async function printPieces(pieces: AsyncIterable<string>): Promise<void> {
  // Each piece's per-channel objects are garbage once written; without a ceiling V8 let them
  // pile up (the 10M replay's peak went from 875 MiB projected to 1 494 MiB reported).
  const collectIfGrown = collectAboveHeapCeiling();
  for await (const chunk of outputChunks(pieces)) {
    collectIfGrown();
    await print(chunk);
  }
  await print('\n');
}
