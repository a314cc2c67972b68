/** Memory figures for progress logs: this thread's V8 heap and the process's resident set. */

/** The V8 heap in use by the calling thread (each worker has its own), in MiB. */
export function heapUsedMiB(): number {
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

/** The process's resident set, all threads, in MiB. */
export function residentSetMiB(): number {
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}
