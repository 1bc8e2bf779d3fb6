// For a test file that starts processes through the harness (children.ts):
// the harness hooks SIGINT, SIGTERM and SIGHUP to stop its children and
// exit, so after its tests the file stops them itself and takes those hooks
// away again, and vitest's own SIGTERM to the worker at the end meets nothing
// of the benchmark's.
import { afterAll } from 'vitest';
import { killAll } from '../harness/children.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Registers the afterAll that stops the harness's children and removes its signal hooks. */
export function stopHarnessChildrenAfterAll(): void {
  const before = new Map(SIGNALS.map((sig) => [sig, process.listeners(sig)]));
  afterAll(() => {
    killAll();
    for (const sig of SIGNALS) for (const l of process.listeners(sig)) if (!before.get(sig)!.includes(l)) process.off(sig, l);
  });
}
