// select and pselect over FdSets: the fd_set layout and the FD_* macros,
// readiness of pipes, socket pairs and TCP on loopback, timeouts (and the
// time not slept written back by select), errors, bad input, and the signal
// mask of pselect watched in /proc.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import {
  AF_UNIX,
  FD_CLR,
  FD_ISSET,
  FD_SET,
  FD_SETSIZE,
  FD_ZERO,
  FdSet,
  MSG_OOB,
  SIGUSR2,
  SOCK_STREAM,
  close,
  pipe,
  pselect,
  read,
  select,
  sendmsg,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll, tcpPair } from './helpers.js';
import { describeSignalMask, waitUnderSignals } from './signals.js';

let toClose: number[] = [];
afterEach(() => {
  closeAll(...toClose);
  toClose = [];
});
const track = (...fds: number[]): number[] => {
  toClose.push(...fds);
  return fds;
};

/** A new FdSet holding `fds`. */
function setOf(...fds: number[]): FdSet {
  const set = new FdSet();
  for (const fd of fds) FD_SET(fd, set);
  return set;
}

function detached(set: FdSet): FdSet {
  structuredClone(set.buffer, { transfer: [set.buffer] });
  return set;
}

describe('FdSet and the FD_* macros', () => {
  it('is a zeroed fd_set of FD_SETSIZE bits: bit fd % 64 of long fd / 64', () => {
    const set = new FdSet();
    expect(FD_SETSIZE).toBe(1024);
    expect(set.byteLength).toBe(FD_SETSIZE / 8);
    expect(set.every((b) => b === 0)).toBe(true);
    FD_SET(0, set);
    FD_SET(65, set);
    FD_SET(1023, set);
    const longs = new BigUint64Array(set.buffer); // glibc's __fd_mask is a long
    expect([longs[0], longs[1], longs[15]]).toEqual([1n, 2n, 1n << 63n]);
    expect([FD_ISSET(0, set), FD_ISSET(1, set), FD_ISSET(65, set), FD_ISSET(1023, set)]).toEqual([true, false, true, true]);
    FD_CLR(65, set);
    expect(longs[1]).toBe(0n);
    expect(FD_ISSET(65, set)).toBe(false);
    FD_ZERO(set);
    expect(set.every((b) => b === 0)).toBe(true);
  });

  it('a part of an FdSet is a plain Uint8Array, not an fd_set', () => {
    expect(new FdSet().subarray(0, 8)).not.toBeInstanceOf(FdSet);
  });

  it('an fd outside 0..FD_SETSIZE-1 is a RangeError that says why: the lesson is poll or epoll', () => {
    const set = new FdSet();
    for (const macro of [FD_SET, FD_CLR, FD_ISSET]) {
      expect(() => macro(1024, set)).toThrow(RangeError);
      expect(() => macro(1024, set)).toThrow(/FD_SETSIZE \(1024\).*poll or epoll/);
      expect(() => macro(-1, set)).toThrow(RangeError);
    }
    expect(set.every((b) => b === 0)).toBe(true);
  });

  it('a non-integer fd, a set that is not an FdSet, or a detached one is a TypeError', () => {
    const set = new FdSet();
    expect(() => FD_SET(1.5, set)).toThrow(TypeError);
    expect(() => FD_SET('3' as unknown as number, set)).toThrow(/'fd'.*integer/);
    expect(() => FD_SET(3, new Uint8Array(128) as FdSet)).toThrow(/FdSet/);
    expect(() => FD_ISSET(3, null as unknown as FdSet)).toThrow(TypeError);
    expect(() => FD_ZERO(detached(new FdSet()))).toThrow(/detached/);
    expect(() => FD_SET(3, detached(new FdSet()))).toThrow(/detached/);
  });
});

describe('select', () => {
  it('a pipe: the write end is writable at once, the read end readable once written to', () => {
    const [r, w] = track(...pipe());
    const nfds = Math.max(r!, w!) + 1;
    let rs = setOf(r!, w!);
    let ws = setOf(r!, w!);
    expect(select(nfds, rs, ws, null, { tv_sec: 0, tv_usec: 0 })).toBe(1);
    expect([FD_ISSET(r!, rs), FD_ISSET(w!, rs), FD_ISSET(r!, ws), FD_ISSET(w!, ws)]).toEqual([false, false, false, true]);
    write(w!, Buffer.from('x'));
    rs = setOf(r!);
    ws = setOf(w!);
    expect(select(nfds, rs, ws, null, null)).toBe(2); // one ready fd in each of two sets
    expect([FD_ISSET(r!, rs), FD_ISSET(w!, ws)]).toEqual([true, true]);
  });

  it('looks only at fds below nfds', () => {
    const [r, w] = track(...pipe());
    write(w!, Buffer.from('x'));
    expect(select(r!, setOf(r!), null, null, { tv_sec: 0, tv_usec: 0 })).toBe(0);
    expect(select(r! + 1, setOf(r!), null, null, { tv_sec: 0, tv_usec: 0 })).toBe(1);
  });

  it('a socketpair and a TCP pair on loopback: readable after the peer writes, exceptional on urgent data', () => {
    const [a, b] = track(...socketpair(AF_UNIX, SOCK_STREAM));
    const { client, server } = tcpPair();
    track(client, server);
    const nfds = Math.max(a!, b!, client, server) + 1;
    const zero = () => ({ tv_sec: 0, tv_usec: 0 });
    expect(select(nfds, setOf(a!, b!, client, server), null, null, zero())).toBe(0);
    write(a!, Buffer.from('hi'));
    write(client, Buffer.from('hi'));
    const rs = setOf(a!, b!, client, server);
    // TCP delivers over loopback asynchronously: wait for it, up to a second.
    expect(select(nfds, rs, null, null, { tv_sec: 1, tv_usec: 0 })).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 50 && !FD_ISSET(server, rs); i++) {
      FD_ZERO(rs);
      FD_SET(b!, rs);
      FD_SET(server, rs);
      select(nfds, rs, null, null, { tv_sec: 0, tv_usec: 20_000 });
    }
    expect([FD_ISSET(b!, rs), FD_ISSET(server, rs)]).toEqual([true, true]);
    expect([FD_ISSET(a!, rs), FD_ISSET(client, rs)]).toEqual([false, false]);
    // TCP urgent data is select's "exceptional condition".
    sendmsg(client, { buffers: [Buffer.from('!')] }, MSG_OOB);
    const es = setOf(server);
    expect(select(server + 1, null, null, es, { tv_sec: 1, tv_usec: 0 })).toBe(1);
    expect(FD_ISSET(server, es)).toBe(true);
  });

  it('null sets and a small timeout: a plain sleep that returns 0 and leaves { 0, 0 } in the timeout', () => {
    const tv = { tv_sec: 0, tv_usec: 30_000 };
    const t0 = process.hrtime.bigint();
    expect(select(0, null, null, null, tv)).toBe(0);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeGreaterThanOrEqual(29);
    expect(tv).toEqual({ tv_sec: 0, tv_usec: 0 });
  });

  it('timeout 0 polls and returns at once', () => {
    const [r] = track(...pipe());
    const t0 = process.hrtime.bigint();
    expect(select(r! + 1, setOf(r!), null, null, { tv_sec: 0, tv_usec: 0 })).toBe(0);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(50);
  });

  it('writes the time not slept back into the timeout, as Linux does', async () => {
    const [r, w] = track(...pipe());
    // A worker writes to the pipe 100 ms into a 2 s wait.
    const writer = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       parentPort.once('message', () => setTimeout(() => require('node:fs').writeSync(workerData, 'x'), 100));`,
      { eval: true, workerData: w },
    );
    try {
      await new Promise((resolve) => writer.once('online', resolve));
      const tv = { tv_sec: 2, tv_usec: 0 };
      const rs = setOf(r!);
      writer.postMessage('go');
      expect(select(r! + 1, rs, null, null, tv)).toBe(1);
      expect(FD_ISSET(r!, rs)).toBe(true);
      const leftUs = tv.tv_sec * 1e6 + tv.tv_usec;
      expect(leftUs).toBeGreaterThan(1.0e6);
      expect(leftUs).toBeLessThan(1.95e6);
      expect(tv.tv_usec).toBeLessThan(1e6);
      read(r!, new Uint8Array(1));
    } finally {
      await writer.terminate();
    }
  });

  it('an EINTR is retried with the time that remains: neither ended early nor restarted', async () => {
    const tv = { tv_sec: 1, tv_usec: 500_000 };
    const w = await waitUnderSignals(() => select(0, null, null, null, tv), 5, 40);
    expect(w.result).toBe(0);
    expect(w.interruptions).toBeGreaterThanOrEqual(3); // the signals did interrupt this thread
    expect(w.waitedMs).toBeGreaterThanOrEqual(1495);
    expect(w.waitedMs).toBeLessThan(1700); // a restarted timeout would end after 1760 ms
    expect(tv).toEqual({ tv_sec: 0, tv_usec: 0 });
  });

  it('EBADF for a closed fd in a set; EINVAL (from the kernel) for a negative nfds or timeout', () => {
    const [r, w] = pipe();
    close(r!);
    close(w!);
    expect(() => select(r! + 1, setOf(r!), null, null, { tv_sec: 0, tv_usec: 0 })).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'select' }),
    );
    expect(() => select(-1, null, null, null, { tv_sec: 0, tv_usec: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => select(0, null, null, null, { tv_sec: -1, tv_usec: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => select(0, null, null, null, { tv_sec: 0, tv_usec: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('nfds above FD_SETSIZE is a RangeError naming the limit: the kernel would read past the sets', () => {
    expect(() => select(FD_SETSIZE + 1, new FdSet(), null, null, null)).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/'nfds'.*FD_SETSIZE \(1024\).*poll or epoll/) }),
    );
    expect(select(FD_SETSIZE, null, null, null, { tv_sec: 0, tv_usec: 0 })).toBe(0);
  });

  it('bad input: wrong types, a short or misaligned set, a detached set, a malformed timeout', () => {
    const zero = { tv_sec: 0, tv_usec: 0 };
    expect(() => select(1.5, null, null, null, zero)).toThrow(/'nfds'/);
    expect(() => select(1, 'x' as unknown as FdSet, null, null, zero)).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/'readfds'/) }));
    expect(() => select(1, null, new Uint8Array(64) as FdSet, null, zero)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/'writefds'.*fd_set/) }));
    const odd = new Uint8Array(new ArrayBuffer(256), 4, 128) as FdSet;
    expect(() => select(1, null, null, odd, zero)).toThrow(/'exceptfds' must be aligned/);
    expect(() => select(1, detached(new FdSet()), null, null, zero)).toThrow(/detached/);
    expect(() => select(1, null, null, null, 5 as unknown as typeof zero)).toThrow(/'timeout'.*tv_sec/);
    expect(() => select(1, null, null, null, { tv_sec: 1 } as typeof zero)).toThrow(/'timeout.tv_usec'/);
    expect(() => select(1, null, null, null, { tv_sec: 0.5, tv_usec: 0 })).toThrow(TypeError);
  });

  it('a set detached by a getter of the timeout is caught: pointers are taken last', () => {
    const set = new FdSet();
    const timeout = {
      get tv_sec(): number {
        detached(set);
        return 0;
      },
      tv_usec: 0,
    };
    expect(() => select(1, set, null, null, timeout)).toThrow(/detached/);
  });
});

describe('pselect', () => {
  it('is select with a { tv_sec, tv_nsec } timeout, which it leaves as it was', () => {
    const [r, w] = track(...pipe());
    const ts = { tv_sec: 0, tv_nsec: 20_000_000 };
    const t0 = process.hrtime.bigint();
    expect(pselect(r! + 1, setOf(r!), null, null, ts, null)).toBe(0);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeGreaterThanOrEqual(19);
    expect(ts).toEqual({ tv_sec: 0, tv_nsec: 20_000_000 });
    write(w!, Buffer.from('x'));
    const rs = setOf(r!);
    const ws = setOf(w!);
    expect(pselect(Math.max(r!, w!) + 1, rs, ws, null, null, [])).toBe(2);
    expect([FD_ISSET(r!, rs), FD_ISSET(w!, ws)]).toEqual([true, true]);
  });

  it('errors as select: EBADF, EINVAL for a tv_nsec past 999999999, nfds above FD_SETSIZE', () => {
    const [r, w] = pipe();
    close(r!);
    close(w!);
    const zero = { tv_sec: 0, tv_nsec: 0 };
    expect(() => pselect(r! + 1, setOf(r!), null, null, zero, null)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'pselect' }));
    expect(() => pselect(0, null, null, null, { tv_sec: 0, tv_nsec: 1e9 }, null)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => pselect(-1, null, null, null, zero, null)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => pselect(FD_SETSIZE + 1, null, null, null, zero, null)).toThrow(/FD_SETSIZE/);
  });

  it('a set detached by a getter of the sigmask is caught: pointers are taken last', () => {
    const set = new FdSet();
    const mask: number[] = [];
    Object.defineProperty(mask, 0, {
      get: () => {
        detached(set);
        return SIGUSR2;
      },
    });
    expect(() => pselect(1, set, null, null, { tv_sec: 0, tv_nsec: 0 }, mask)).toThrow(/detached/);
  });
});

describeSignalMask('pselect', (mask) => pselect(0, null, null, null, { tv_sec: 1, tv_nsec: 500e6 }, mask));
