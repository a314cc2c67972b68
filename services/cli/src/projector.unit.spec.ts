import { describe, expect, it } from 'vitest';
import { projectsOnWorker, WORKER_FROM_LINES } from './projector.js';

describe('projectsOnWorker', () => {
  it('given auto, then a worker from WORKER_FROM_LINES estimated lines on', () => {
    expect(projectsOnWorker('auto', WORKER_FROM_LINES)).toBe(true);
    expect(projectsOnWorker('auto', WORKER_FROM_LINES - 1)).toBe(false);
    expect(projectsOnWorker('auto', 10_000_000)).toBe(true);
  });

  it('given auto and no estimate (an empty rest of file), then the main thread', () => {
    expect(projectsOnWorker('auto', undefined)).toBe(false);
  });

  it('given worker or main, then that, whatever the size', () => {
    expect(projectsOnWorker('worker', 1)).toBe(true);
    expect(projectsOnWorker('worker', undefined)).toBe(true);
    expect(projectsOnWorker('main', 10_000_000)).toBe(false);
  });
});
