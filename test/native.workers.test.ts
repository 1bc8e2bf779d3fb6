// The addon is context-aware: it loads and works in several worker_threads
// at once, and in the main thread beside them.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('worker_threads', () => {
  it('each worker loads its own instance and does real socket work', async () => {
    const workers = [1, 2, 3].map(
      (id) => new Worker(new URL('./fixtures/worker-echo.mjs', import.meta.url), { workerData: { id, entry } }),
    );
    // Listen for both at once: a worker exits right after it posts.
    const results = workers.map((w) => once(w, 'message').then(([m]) => m));
    const exits = workers.map((w) => once(w, 'exit').then(([code]) => code));
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
    expect(await Promise.all(results)).toEqual([1, 2, 3].map((id) => ({ text: `worker ${id}`, code: 'EINVAL' })));
  });
});
