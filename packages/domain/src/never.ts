/** Closes a `switch` on a union: a case left out is a type error here. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
