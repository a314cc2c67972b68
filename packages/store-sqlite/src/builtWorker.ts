/**
 * Where a worker thread's module of this package is: beside this module once compiled; from
 * the sources (tests run them), its compiled copy in `dist`.
 */
export function builtWorker(name: string): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL(`../dist/${name}.js`, import.meta.url)
    : new URL(`./${name}.js`, import.meta.url);
}
