// An interrupted blocking connect must not report success on a socket that
// is not connected (issue 12, item 1). A child process blocks in connect
// with SO_SNDTIMEO set (so the kernel answers a signal with EINTR rather
// than restarting the call) and a JS SIGUSR1 listener installed, while this
// process sends it SIGUSR1 again and again; the child prints what connect
// returned and whether the socket then has a peer. A CommonJS `-e` child,
// because there SIGUSR1 reaches its main thread (docs/fds.md).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept4,
  bind,
  connect,
  listen,
  read,
  socket,
} from '../lib/index.js';
import { closeAll, loopback, portOf } from './helpers.js';

interface Outcome {
  result: number | string;
  waitedMs: number;
  peer: string;
  sent: number | string;
  handled: number;
}

const CHILD = `
const ps = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'))});
const [family, where, timeoutMs] = JSON.parse(process.argv[1]);
let handled = 0;
process.on('SIGUSR1', () => handled++);
const fd = ps.socket(family, ps.SOCK_STREAM);
ps.setsockopt(fd, ps.SOL_SOCKET, ps.SO_SNDTIMEO, timeoutMs);
const addr = family === ps.AF_UNIX ? { family, path: where } : { family, address: '127.0.0.1', port: where };
console.log('connecting');
const t0 = Date.now();
let result;
try { result = ps.connect(fd, addr); } catch (e) { result = e.code; }
const waitedMs = Date.now() - t0;
let peer = 'ok', sent;
try { ps.getpeername(fd); } catch (e) { peer = e.code; }
try { sent = ps.send(fd, Buffer.from('x')); } catch (e) { sent = e.code; }
setTimeout(() => { console.log(JSON.stringify({ result, waitedMs, peer, sent, handled })); ps.close(fd); }, 50);
`;

/**
 * Runs the child against `where`; once it is blocked in connect, sends it
 * `signals` SIGUSR1 `everyMs` apart, then calls `afterSignals` (which may
 * make room in the listener's queue). Resolves with what the child saw.
 */
function connectUnderSignals(family: number, where: string | number, timeoutMs: number, afterSignals: () => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, JSON.stringify([family, where, timeoutMs])], { stdio: ['ignore', 'pipe', 'inherit'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const started = out === '';
      out += chunk;
      if (!started || !out.startsWith('connecting\n')) return;
      // Give it time to block, then the storm: 10 signals, 40 ms apart.
      let sent = 0;
      const t = setInterval(() => {
        if (child.exitCode === null) child.kill('SIGUSR1');
        if (++sent === 10) {
          clearInterval(t);
          afterSignals();
        }
      }, 40);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`child ended ${code ?? signal}: ${out}`));
      else resolve(JSON.parse(line) as Outcome);
    });
  });
}

describe('a blocking connect interrupted by signals', () => {
  it('AF_UNIX, the listener queue full throughout: blocks until SO_SNDTIMEO expires (EAGAIN), never 0 unconnected', async () => {
    const name = `\0ps-eintr-full-${process.pid}`;
    const lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    const filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    try {
      bind(lfd, { family: AF_UNIX, path: name });
      listen(lfd, 0);
      connect(filler, { family: AF_UNIX, path: name }); // the one connection backlog 0 holds
      const o = await connectUnderSignals(AF_UNIX, name, 800, () => undefined);
      expect(o.handled).toBeGreaterThan(0); // the signals reached the child while it waited
      // unix(7): a connect that times out waiting for room fails with
      // EAGAIN. Each EINTR makes the connect anew, so the wait is at least
      // one whole timeout after the last signal.
      expect(o).toMatchObject({ result: 'EAGAIN', peer: 'ENOTCONN' });
      expect(o.waitedMs).toBeGreaterThanOrEqual(800 + 9 * 40 - 50);
    } finally {
      closeAll(filler, lfd);
    }
  });

  it('AF_UNIX, room made after the signals: connect returns 0 and the socket is really connected', async () => {
    const name = `\0ps-eintr-room-${process.pid}`;
    const lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    const filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    const accepted: number[] = [];
    try {
      bind(lfd, { family: AF_UNIX, path: name });
      listen(lfd, 0);
      connect(filler, { family: AF_UNIX, path: name });
      const o = await connectUnderSignals(AF_UNIX, name, 10_000, () => accepted.push(accept4(lfd, null, null, SOCK_NONBLOCK)));
      expect(o.handled).toBeGreaterThan(0);
      expect(o).toMatchObject({ result: 0, peer: 'ok', sent: 1 });
      expect(o.waitedMs).toBeLessThan(5_000);
      // And this side has the connection, with the child's byte in it.
      const fd = accept4(lfd, null, null, 0);
      accepted.push(fd);
      expect(read(fd, Buffer.alloc(4))).toBe(1);
    } finally {
      closeAll(...accepted, filler, lfd);
    }
  });

  it('TCP, handshake held up for good: SO_SNDTIMEO still bounds the wait after a signal (-1, EINPROGRESS)', async () => {
    // The accept queue stays full, so the handshake never completes. The
    // kernel ends a blocking connect whose SO_SNDTIMEO expires with
    // EINPROGRESS (socket(7)), which connect returns as -1; the wait for the
    // handshake after an EINTR must keep that bound, not wait for the SYN
    // retries to give up (about two minutes).
    const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    const filler = socket(AF_INET, SOCK_STREAM);
    try {
      bind(lfd, loopback(AF_INET));
      listen(lfd, 0);
      connect(filler, loopback(AF_INET, portOf(lfd)));
      const o = await connectUnderSignals(AF_INET, portOf(lfd), 600, () => undefined);
      expect(o.handled).toBeGreaterThan(0);
      expect(o).toMatchObject({ result: -1, peer: 'ENOTCONN' });
      expect(o.waitedMs).toBeGreaterThanOrEqual(600);
      expect(o.waitedMs).toBeLessThan(600 + 10 * 40 + 2_000);
    } finally {
      closeAll(filler, lfd);
    }
  });

  it('TCP, handshake held up by a full accept queue: connect returns 0 only once connected', async () => {
    // With the accept queue full (backlog 0 and one connection not
    // accepted), the listener drops SYNs, so the child's handshake is in
    // flight (SYN_SENT, retransmitting) while the signals arrive. Accepting
    // the first connection makes room; the next SYN retransmission (1 s,
    // then 3 s after the first) completes the handshake.
    const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    const filler = socket(AF_INET, SOCK_STREAM);
    const accepted: number[] = [];
    try {
      bind(lfd, loopback(AF_INET));
      listen(lfd, 0);
      connect(filler, loopback(AF_INET, portOf(lfd)));
      const o = await connectUnderSignals(AF_INET, portOf(lfd), 0, () => accepted.push(accept4(lfd, null, null, SOCK_NONBLOCK)));
      expect(o.handled).toBeGreaterThan(0);
      expect(o).toMatchObject({ result: 0, peer: 'ok', sent: 1 });
      expect(o.waitedMs).toBeGreaterThanOrEqual(400); // it did wait through the signals
      const fd = accept4(lfd, null, null, 0);
      accepted.push(fd);
      expect(read(fd, Buffer.alloc(4))).toBe(1);
    } finally {
      closeAll(...accepted, filler, lfd);
    }
  });
});
