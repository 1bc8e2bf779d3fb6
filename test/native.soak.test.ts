// A bounded soak: thousands of connections over loopback through an echo
// server built on the addon (test/workers/soak-server.cjs: accept4, read,
// write, a Poller in Node's event loop) in a child process. Each client
// sends 1 B..256 KiB of random bytes and checks every byte that comes back;
// one in ten disconnects abruptly instead (after part of its bytes, with a
// reset now and then). The server's fd count must come back to its idle
// value and its RSS stay flat (within a bound) between the first and the
// last part of the run. SOAK_CONNECTIONS sets the number (4,000 unless
// given).
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 4_000);
const AT_ONCE = 32;
const MAX = 256 * 1024;

/** A seeded generator (mulberry32), so a run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stats {
  rss: number;
  fds: number;
  accepted: number;
  closed: number;
}

describe('soak', () => {
  it(`${CONNECTIONS} connections through the addon's echo server: every byte back, fds and RSS flat`, async () => {
    const server = spawn(process.execPath, [path.join(__dirname, 'workers', 'soak-server.cjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let waiter: (() => void) | null = null;
    server.stdout.setEncoding('utf8');
    let partial = '';
    server.stdout.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      waiter?.();
    });
    const nextLine = async (): Promise<string> => {
      while (lines.length === 0) await new Promise<void>((resolve) => (waiter = resolve));
      return lines.shift()!;
    };
    const stats = async (): Promise<Stats> => {
      server.stdin.write('?\n');
      const [, rss, fds, accepted, closed] = (await nextLine()).split(' ').map(Number);
      return { rss: rss!, fds: fds!, accepted: accepted!, closed: closed! };
    };
    /** Waits until the server has closed every connection it accepted. */
    const settled = async (): Promise<Stats> => {
      for (;;) {
        const s = await stats();
        if (s.closed === s.accepted) return s;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      const port = Number((await nextLine()).split(' ')[1]);
      const idle = await stats();
      const random = rng(0x50a4);
      const source = randomBytes(2 * MAX);
      const totals = { verified: 0, bytes: 0, dropped: 0 };

      const client = (): Promise<void> =>
        new Promise((resolve, reject) => {
          const size = 1 + Math.floor(random() * MAX);
          const start = Math.floor(random() * MAX);
          const payload = source.subarray(start, start + size);
          const abrupt = random() < 0.1;
          const sock = net.connect(port, '127.0.0.1');
          const got: Buffer[] = [];
          let received = 0;
          sock.on('error', (e) => (abrupt ? resolve() : reject(e)));
          sock.on('connect', () => {
            if (abrupt) {
              // Part of the bytes, then gone: a plain close, or a reset.
              sock.write(payload.subarray(0, Math.ceil(size / 2)), () => {
                if (random() < 0.5) sock.resetAndDestroy();
                else sock.destroy();
                totals.dropped++;
                resolve();
              });
              return;
            }
            sock.end(payload);
          });
          sock.on('data', (d: Buffer) => {
            got.push(d);
            received += d.length;
          });
          sock.on('end', () => {
            if (abrupt) return;
            const back = Buffer.concat(got, received);
            if (received !== size || !back.equals(payload)) {
              reject(new Error(`connection of ${size} bytes got ${received} back${received === size ? ', different' : ''}`));
              return;
            }
            totals.verified++;
            totals.bytes += size;
            sock.destroy();
            resolve();
          });
        });

      let started = 0;
      let early: Stats;
      const lane = async (): Promise<void> => {
        while (started < CONNECTIONS) {
          started++;
          await client();
        }
      };
      // The first tenth warms the server up (JIT, buffers); the RSS bound is
      // on what the remaining nine tenths add.
      const warm = Math.ceil(CONNECTIONS / 10);
      await Promise.all(Array.from({ length: AT_ONCE }, () => (async () => {
        while (started < warm) {
          started++;
          await client();
        }
      })()));
      early = await settled();
      await Promise.all(Array.from({ length: AT_ONCE }, lane));
      const last = await settled();
      console.log(
        `soak: ${last.accepted} connections, ${totals.verified} verified (${(totals.bytes / 2 ** 20).toFixed(0)} MiB each way, every byte), ${totals.dropped} dropped abruptly; ` +
          `server fds ${idle.fds} idle, ${last.fds} after; RSS ${(early.rss / 2 ** 20).toFixed(1)} MiB after warm-up, ${(last.rss / 2 ** 20).toFixed(1)} MiB at the end`,
      );
      expect(last.accepted).toBe(CONNECTIONS);
      expect(totals.verified + totals.dropped).toBe(CONNECTIONS);
      expect(last.fds).toBe(idle.fds);
      expect(last.rss - early.rss).toBeLessThan(64 * 2 ** 20);
    } finally {
      server.stdin.end();
      await new Promise((resolve) => {
        if (server.exitCode !== null) resolve(null);
        else server.once('exit', resolve);
        setTimeout(() => server.kill('SIGKILL'), 5_000).unref();
      });
    }
  }, Math.max(90_000, CONNECTIONS * 30));
});
