/** Joins small pieces of text into pieces of about `size` UTF-16 units (the last may be shorter). */
export async function* inPieces(
  chunks: Iterable<string> | AsyncIterable<string>,
  size = 1 << 20,
): AsyncGenerator<string> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}
