// The microbenchmarks of a run: the binding's cost per call against the same
// loop in C, and the JS heap the blocking loop allocates per event.
import * as path from 'node:path';
import type { MicroResult } from './analyze.js';
import { BENCH_DIR, binPath } from './build.js';
import { run } from './children.js';
import { fmt } from './format.js';
import type { Progress } from './progress.js';
import type { BenchOptions } from './results.js';

/** Steps the progress counts for this phase. */
export const MICRO_STEPS = 2;

export async function runMicro(o: BenchOptions, cpu: number | null, progress: Progress): Promise<MicroResult & { raw?: unknown }> {
  const result: MicroResult & { raw?: unknown } = {};
  progress.begin('micro binding overhead');
  const c = await run([binPath('syscall-loop'), String(o.microIterations)], cpu, 120_000);
  const js = await run([process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'micro', 'binding.ts'), String(o.microIterations)], cpu, 120_000);
  try {
    const cj = JSON.parse(c.stdout) as { recv_ns: number; epoll_wait_ns: number };
    const jj = JSON.parse(js.stdout) as { recv_ns: number; raw_recv_ns: number; epoll_wait_ns: number | null };
    result.binding = { cRecvNs: cj.recv_ns, cEpollWaitNs: cj.epoll_wait_ns, addonRecvNs: jj.recv_ns, rawRecvNs: jj.raw_recv_ns, addonEpollWaitNs: jj.epoll_wait_ns };
    progress.step('micro', 'binding overhead', `recv: C ${fmt(cj.recv_ns)} ns, addon ${fmt(jj.recv_ns)} ns per call`);
  } catch {
    progress.step('micro', 'binding overhead', `FAILED: ${`${c.stderr}${js.stderr}`.trim()}`);
  }
  progress.begin('micro JS heap per event');
  const a = await run(
    [process.execPath, '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=128', '--import', 'tsx', path.join(BENCH_DIR, 'micro', 'alloc.ts'), String(o.allocEvents)],
    cpu,
    120_000,
  );
  try {
    result.alloc = JSON.parse(a.stdout);
  } catch {
    result.alloc = { skipped: `failed${a.timedOut ? ' (timed out)' : ''}: ${(a.stderr || a.stdout).trim().slice(0, 300)}` };
  }
  const alloc = result.alloc;
  progress.step('micro', 'JS heap per event', alloc && 'bytesPerEvent' in alloc ? `${alloc.bytesPerEvent} B per event` : `FAILED: ${alloc?.skipped ?? ''}`);
  return result;
}
