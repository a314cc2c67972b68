/** A bad invocation: the message is printed as `chanperf: <message>`, the exit code is 2. */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}
