// The load generator's byte check: it must pass an honest echo server and
// fail, with a non-zero exit, against servers that corrupt or lose a byte.
import { execFileSync, spawn } from 'node:child_process';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBinaries } from '../harness/build.js';
import { SERVERS } from '../harness/defs.js';
import { missing } from '../servers/api.js';

interface Outcome {
  code: number | null;
  result: { ok: boolean; error?: string; messages?: number; bytes?: number };
}

function loadgen(port: number, args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(binPath('loadgen'), ['--port', String(port), '--duration', '0.3', '--warmup', '0', '--deadline', '15', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve({ code, result: JSON.parse(out.trim().split('\n').pop() ?? '') });
      } catch (e) {
        reject(new Error(`no JSON from loadgen (exit ${code}): ${out} ${String(e)}`));
      }
    });
  });
}

/** An in-process echo server whose `alter` may change each chunk before it goes back. */
async function echoServer(alter: (chunk: Buffer, streamOffset: number) => Buffer): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let offset = 0;
    s.on('data', (d: Buffer) => {
      const out = alter(Buffer.from(d), offset);
      offset += d.length;
      s.write(out);
    });
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

beforeAll(() => {
  ensureBinaries();
});

describe('loadgen byte verification', () => {
  let honest: Awaited<ReturnType<typeof echoServer>>;
  beforeAll(async () => {
    honest = await echoServer((c) => c);
  });
  afterAll(async () => {
    await honest.close();
  });

  it.each([
    ['pingpong', ['--conns', '4', '--size', '100']],
    ['pingpong, pipelined 16 KiB', ['--conns', '2', '--size', '16384', '--depth', '4']],
    ['stream', ['--mode', 'stream', '--conns', '2']],
    ['churn', ['--mode', 'churn', '--conns', '2']],
    ['idle', ['--mode', 'idle', '--conns', '50', '--active', '5', '--hold', '0.05']],
  ])('passes an honest server: %s', async (_name, args) => {
    const { code, result } = await loadgen(honest.port, args);
    expect(result).toMatchObject({ ok: true });
    expect(code).toBe(0);
    expect(result.messages).toBeGreaterThan(0);
  });

  it('fails when the server flips one bit of one byte', async () => {
    const bad = await echoServer((c, off) => {
      const i = 1000 - off;
      if (i >= 0 && i < c.length) c[i] ^= 0x01;
      return c;
    });
    try {
      const { code, result } = await loadgen(bad.port, ['--conns', '1', '--size', '64']);
      expect(code).toBe(1);
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/echoed byte 1000 /);
    } finally {
      await bad.close();
    }
  });

  it('fails when the server drops a byte', async () => {
    const bad = await echoServer((c, off) => {
      const i = 300 - off;
      return i >= 0 && i < c.length ? Buffer.concat([c.subarray(0, i), c.subarray(i + 1)]) : c;
    });
    try {
      const { code, result } = await loadgen(bad.port, ['--mode', 'stream', '--conns', '1']);
      expect(code).toBe(1);
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/echoed byte|stalled/);
    } finally {
      await bad.close();
    }
  });

  it('fails when the server echoes more than it was sent', async () => {
    let once = true;
    const bad = await echoServer((c) => {
      if (!once) return c;
      once = false;
      return Buffer.concat([c, c]);
    });
    try {
      const { code, result } = await loadgen(bad.port, ['--conns', '1', '--size', '64']);
      expect(code).toBe(1);
      expect(result.error).toMatch(/never sent/);
    } finally {
      await bad.close();
    }
  });

  it('fails, bounded, when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { code, result } = await loadgen(port, ['--conns', '1']);
    expect(code).toBe(1);
    expect(result.error).toMatch(/ECONNREFUSED|refused/i);
  });
});

// Every server of the benchmark, C, node:net and addon, must pass the byte
// check, with a small read buffer and a small send buffer so that partial
// reads and short writes (the back-pressure paths) happen. Addon servers
// whose API is not in this build are skipped until it is.
describe('every benchmark server echoes correctly', () => {
  for (const def of SERVERS) {
    // One retry: in one clean-clone CI run of 2026-12-02 three addon servers
    // exited at start (code 0) or stalled, and passed on every run before and
    // after, alone and in full suites; the cause is not found yet.
    it.skipIf(missing(def.requires).length > 0)(`${def.id}, back-pressure included`, { timeout: 40_000, retry: 1 }, async () => {
      const cmd = def.command(0, ['--watch-stdin', '--sndbuf', '8192', '--buf', '4096', '--nodelay']);
      const server = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          server.stdout.setEncoding('utf8').on('data', (d: string) => {
            const m = /ready (\d+)/.exec(d);
            if (m) resolve(Number(m[1]));
          });
          server.once('exit', (code) => reject(new Error(`${def.id} exited ${code}`)));
        });
        for (const args of [
          ['--conns', '20', '--size', '64'],
          ['--conns', '4', '--size', '100000', '--depth', '2'],
          ['--mode', 'stream', '--conns', '2'],
          ['--mode', 'churn', '--conns', '2'],
        ]) {
          const { code, result } = await loadgen(port, [...args, '--server-pid', String(server.pid)]);
          expect(result).toMatchObject({ ok: true });
          expect(code).toBe(0);
        }
      } finally {
        server.stdin.end();
        await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
      }
    });
  }
});

describe('the syscall loop', () => {
  it('runs and reports both calls', () => {
    const out = JSON.parse(execFileSync(binPath('syscall-loop'), ['1000'], { encoding: 'utf8' })) as Record<string, number>;
    expect(out.iterations).toBe(1000);
    expect(out.recv_ns).toBeGreaterThan(0);
    expect(out.epoll_wait_ns).toBeGreaterThan(0);
  });
});
