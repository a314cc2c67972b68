/** Writing a generated feed to a file: NDJSON, streamed in chunks, constant memory. */
import { generateFeed } from './generateFeed.js';
import type { FeedOptions, FeedStats } from './feedOptions.js';

/** Convenience: writes the feed to a file path with a newline after each line, streaming; returns stats. */
export async function writeFeed(path: string, options?: FeedOptions): Promise<FeedStats> {
  const [{ createWriteStream }, { Readable }, { pipeline }] = await Promise.all([
    import('node:fs'),
    import('node:stream'),
    import('node:stream/promises'),
  ]);
  const feed = generateFeed(options);
  let stats: FeedStats | undefined;
  /** The lines, each followed by a newline, in chunks of about 64 KiB. */
  function* chunks(): Generator<string> {
    let buffer = '';
    for (;;) {
      const next = feed.next();
      if (next.done === true) {
        stats = next.value;
        break;
      }
      buffer += `${next.value}\n`;
      if (buffer.length >= 1 << 16) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer.length > 0) yield buffer;
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
  if (stats === undefined) throw new Error('writeFeed: the feed did not finish');
  return stats;
}
