// The io_uring echo servers of the benchmark (the C reference and the
// addon's, blocking and in an IoUringLoop) under the load generator, which
// checks every echoed byte: a stream, 16 KiB ping-pong at 100 connections
// and connection churn. And the batching of queued sends: a 64 KiB chunk
// arrives in four 16 KiB provided buffers, and one sendmsg of all that is
// queued sends them, so a stream costs well under one io_uring_enter per
// chunk; one send per buffer needed at least four. Counted by the servers
// themselves (URING_STATS=1), since a clean machine has no strace.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_DIR, binPath, ensureBinaries } from '../harness/build.js';

const SERVERS: Record<string, string[]> = {
  'C io_uring': [binPath('uring-echo-server'), 'uring', '0'],
  'addon io_uring blocking': [process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'servers', 'addon-uring.ts'), 'blocking', '0'],
  'addon io_uring IoUringLoop': [process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'servers', 'addon-uring.ts'), 'loop', '0'],
};

interface Load {
  ok: boolean;
  messages: number;
  error?: string;
}

/** One server for one load: the load generator's report and the server's own counts. */
async function serve(server: string, load: string[]): Promise<{ load: Load; batches: number; cqes: number }> {
  const [cmd, ...args] = SERVERS[server]!;
  const child = spawn(cmd!, [...args, '--watch-stdin'], {
    cwd: path.join(BENCH_DIR, '..'),
    env: { ...process.env, URING_STATS: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = once(child, 'exit');
  try {
    const lines = createInterface({ input: child.stdout! });
    const [ready] = (await Promise.race([once(lines, 'line'), exited.then(() => [`exited: ${stderr}`])])) as [string];
    const port = /^ready (\d+)$/.exec(ready)?.[1];
    expect(port, ready).toBeDefined();
    const r = spawnSync(binPath('loadgen'), ['--port', port!, ...load, '--warmup', '0.05', '--duration', '0.3', '--deadline', '20'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const report = JSON.parse(r.stdout) as Load;
    child.stdin!.end(); // --watch-stdin: the server exits, printing its counts
    await exited;
    const stats = /uring-stats batches=(\d+) cqes=(\d+)/.exec(stderr);
    expect(stats, stderr).not.toBeNull();
    return { load: report, batches: Number(stats![1]), cqes: Number(stats![2]) };
  } finally {
    child.kill();
  }
}

beforeAll(() => {
  ensureBinaries();
});

describe.each(Object.keys(SERVERS))('%s', (server) => {
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
