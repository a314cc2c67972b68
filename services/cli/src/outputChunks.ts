/**
 * Output in chunks: a report's JSON text comes in many small pieces; writing each to stdout,
 * or posting each across threads, would cost more than the text itself.
 */

/** Joins small pieces of text into chunks of about `size` UTF-16 units (the last may be shorter). */
export async function* outputChunks(
  pieces: Iterable<string> | AsyncIterable<string>,
  size = 1 << 20,
): AsyncGenerator<string> {
  let buffer = '';
  for await (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}
