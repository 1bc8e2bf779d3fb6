// The io_uring echo servers of the benchmark (the C reference and the
// addon's, blocking and in an IoUringLoop) under the load generator, which
// checks every echoed byte: a stream, 16 KiB ping-pong at 100 connections
// and connection churn. And the batching of queued sends: a 64 KiB chunk
// arrives in four 16 KiB provided buffers, and one sendmsg of all that is
// queued sends them, so a stream costs well under one io_uring_enter per
// chunk; one send per buffer needed at least four. Counted by the servers
// themselves (URING_STATS=1), since a clean machine has no strace.
import { beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBinaries } from '../harness/build.js';
import { collect, run, startServer } from '../harness/children.js';
import { SERVERS } from '../harness/defs.js';
import { stopHarnessChildrenAfterAll } from './harness-children.js';

const URING_SERVERS = ['c-uring', 'addon-uring', 'addon-uring-loop'];

/** One server (by its benchmark id) for one load: the load generator's report and the server's io_uring_enter count. */
async function serve(id: string, load: string[]): Promise<{ load: { ok: boolean; messages: number; error?: string }; batches: number }> {
  const def = SERVERS.find((d) => d.id === id)!;
  const { child, port } = await startServer(def.command(0, ['--watch-stdin']), null, { URING_STATS: '1' });
  const exited = collect(child, 20_000);
  const r = await run([binPath('loadgen'), '--port', String(port), ...load, '--warmup', '0.05', '--duration', '0.3', '--deadline', '20'], null, 30_000);
  child.stdin!.end(); // --watch-stdin: the server exits, printing its counts
  const { stderr } = await exited;
  const stats = /uring-stats batches=(\d+)/.exec(stderr);
  expect(stats, stderr).not.toBeNull();
  return { load: JSON.parse(r.stdout.trim().split('\n').pop() ?? ''), batches: Number(stats![1]) };
}

beforeAll(() => {
  ensureBinaries();
});
stopHarnessChildrenAfterAll();

describe.each(URING_SERVERS)('%s', (server) => {
  it('streams 64 KiB chunks back intact, its queued 16 KiB buffers sent a batch at a time', { timeout: 30_000 }, async () => {
    const r = await serve(server, ['--mode', 'stream', '--conns', '1', '--size', '65536']);
    expect(r.load.ok, r.load.error).toBe(true);
    expect(r.load.messages).toBeGreaterThan(100);
    // The counts cover the whole life of the server, warm-up and start-up
    // included, the messages only the measured window: a bound, not a ratio.
    expect(r.batches / r.load.messages, `${r.batches} batches for ${r.load.messages} chunks`).toBeLessThan(2);
  });

  it('echoes 16 KiB ping-pong over 100 connections intact', { timeout: 30_000 }, async () => {
    const r = await serve(server, ['--mode', 'pingpong', '--conns', '100', '--size', '16384']);
    expect(r.load.ok, r.load.error).toBe(true);
    expect(r.load.messages).toBeGreaterThan(100);
  });

  it('serves connection churn (connect, a round trip, a reset) to the end', { timeout: 30_000 }, async () => {
    const r = await serve(server, ['--mode', 'churn', '--conns', '8', '--size', '64']);
    expect(r.load.ok, r.load.error).toBe(true);
    expect(r.load.messages).toBeGreaterThan(50);
  });
});
