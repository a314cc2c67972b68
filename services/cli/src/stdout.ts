/** The command's result on stdout (logs go to stderr): written in order, waiting for it to drain. */
import { outputChunks } from './outputChunks.js';

/** Writes `text` to stdout; resolves once it is handed to the system. */
export function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes pieces of text (a report's JSON) in chunks of about 1 MiB, then a newline. */
export async function printPieces(pieces: AsyncIterable<string>): Promise<void> {
  for await (const chunk of outputChunks(pieces)) await print(chunk);
  await print('\n');
}
