/** The V8 heap in use by the calling thread (each worker has its own), in MiB. */
export function heapMiB(): number {
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

/** The process's resident set, all threads, in MiB. */
export function rssMiB(): number {
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}
