// The epoll echo-server lessons, run as their users run them (tsx, a child
// process) and checked byte for byte by many concurrent clients: most on
// Node's `net`, a few on this library's own blocking sockets, and one that
// stops reading for a while so the server's writes come up short and its
// back-pressure path runs.
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { AF_INET, SHUT_WR, SOCK_STREAM, close, connect, read, shutdown, socket, write } from '../lib/index.js';
import { type Example, startExample, stopExamples } from './run-example.js';

afterEach(stopExamples);

// Starts an example on any free port; resolves with it once it prints "listening N".
async function start(file: string): Promise<{ server: Example; port: number }> {
  const server = startExample(file, ['0']);
  return { server, port: Number((await server.waitFor(/listening (\d+)/))[1]) };
}

// A net client: sends `payload` (paused reading for the first `pauseMs`),
// half-closes, and resolves with everything echoed before the server's FIN.
function netClient(port: number, payload: Buffer, pauseMs = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    c.on('data', (d) => parts.push(d));
    c.on('end', () => {
      c.destroy();
      resolve(Buffer.concat(parts));
    });
    c.on('error', reject);
    if (pauseMs > 0) {
      c.pause();
      setTimeout(() => c.resume(), pauseMs);
    }
    c.end(payload);
  });
}

// A client on this library's blocking sockets: small enough to write
// whole before reading, since the kernel buffers hold it.
function rawClient(port: number, payload: Uint8Array): Uint8Array {
  const fd = socket(AF_INET, SOCK_STREAM);
  try {
    connect(fd, { family: AF_INET, address: '127.0.0.1', port });
    for (let off = 0; off < payload.length; ) off += write(fd, payload, undefined, off);
    shutdown(fd, SHUT_WR);
    const got = new Uint8Array(payload.length + 1);
    let n = 0;
    for (let r; (r = read(fd, got, undefined, n)) > 0; ) n += r;
    return got.subarray(0, n);
  } finally {
    close(fd);
  }
}

async function exercise(port: number): Promise<void> {
  const payloads = Array.from({ length: 16 }, (_, i) => randomBytes(20_000 + i * 5_000));
  // More than loopback's socket buffers hold (client receive + server send),
  // sent by a client that reads nothing for a while: the server's writes
  // come up short and it must stop reading until EPOLLOUT.
  const big = randomBytes(12 * 1024 * 1024);
  const echoes = Promise.all([...payloads.map((p) => netClient(port, p)), netClient(port, big, 300)]);
  for (let i = 0; i < 3; i++) {
    const small = randomBytes(4096 + i);
    expect(Buffer.from(rawClient(port, small)).equals(small)).toBe(true);
  }
  const got = await echoes;
  payloads.forEach((p, i) => expect(got[i].equals(p), `client ${i}`).toBe(true));
  expect(got[16].length).toBe(big.length);
  expect(got[16].equals(big)).toBe(true);
}

describe('epoll echo examples', () => {
  it('4-io-models/25-echo-lt.ts (level-triggered, blocking mode) echoes every byte', async () => {
    await exercise((await start('4-io-models/25-echo-lt.ts')).port);
  });

  it('4-io-models/26-echo-et.ts (edge-triggered, blocking mode) echoes every byte', async () => {
    await exercise((await start('4-io-models/26-echo-et.ts')).port);
  });

  it('5-performance/35-echo-uring.ts (io_uring: multishot accept and recv, provided buffers) echoes every byte', async () => {
    await exercise((await start('5-performance/35-echo-uring.ts')).port);
  });

  it('4-io-models/30-echo-loop.ts (EpollLoop) echoes every byte and exits by itself on SIGTERM', async () => {
    const { server, port } = await start('4-io-models/30-echo-loop.ts');
    await exercise(port);
    process.kill(server.child.pid!, 'SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
