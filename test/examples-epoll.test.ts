// The epoll echo-server lessons, run as their users run them (tsx, a child
// process) and checked byte for byte by many concurrent clients: most on
// Node's `net`, a few on this library's own blocking sockets, and one that
// stops reading for a while so the server's writes come up short and its
// back-pressure path runs.
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { AF_INET, SHUT_WR, SOCK_STREAM, close, connect, read, shutdown, socket, write } from '../lib/index.js';

const root = path.resolve(__dirname, '..');
let server: ChildProcess | null = null;
let serverClosed: Promise<unknown> = Promise.resolve();

// Kills the server by pid if it is still running, and waits until its stdio
// pipes are closed, so no fd outlives the test.
afterEach(async () => {
  const child = server;
  server = null;
  if (child === null) return;
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
  await serverClosed;
});

// Starts an example and resolves with its port once it prints "listening N".
function start(example: string): Promise<number> {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a
  // grandchild, which a kill by pid would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'examples', example), '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  serverClosed = new Promise((resolve) => child.once('close', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code, signal) => reject(new Error(`${example} exited early: ${code ?? signal}`)));
  });
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
    for (let off = 0; off < payload.length; ) off += write(fd, payload, off);
    shutdown(fd, SHUT_WR);
    const got = new Uint8Array(payload.length + 1);
    let n = 0;
    for (let r; (r = read(fd, got, n)) > 0; ) n += r;
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
  it('echo-lt.ts (level-triggered, blocking mode) echoes every byte', async () => {
    await exercise(await start('echo-lt.ts'));
  });

  it('echo-et.ts (edge-triggered, blocking mode) echoes every byte', async () => {
    await exercise(await start('echo-et.ts'));
  });

  it('echo-uring.ts (io_uring: multishot accept and recv, provided buffers) echoes every byte', async () => {
    await exercise(await start('echo-uring.ts'));
  });

  it('echo-loop.ts (EpollLoop) echoes every byte and exits by itself on SIGTERM', async () => {
    await exercise(await start('echo-loop.ts'));
    const child = server as ChildProcess;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(child.pid as number, 'SIGTERM');
    expect(await exited).toBe(0);
  });
});
