// signalfd, sigprocmask, tgkill and gettid: which signals reach a signalfd
// in a Node process (docs/fds.md, "Signals in a Node process"), checked in
// child processes so a signal that goes astray cannot kill the test run.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  SFD_CLOEXEC,
  SFD_NONBLOCK,
  SIGCHLD,
  SIGHUP,
  SIGINT,
  SIGTERM,
  SIGUSR1,
  SIGUSR2,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  SI_TKILL,
  SI_USER,
  close,
  epoll_create1,
  gettid,
  isCloseOnExec,
  isNonBlocking,
  pthread_sigmask,
  read,
  signalfd,
  signalfd_siginfo,
  sigprocmask,
  tgkill,
} from '../lib/index.js';

const script = path.join(__dirname, 'workers', 'signalfd-child.cjs');

interface Child {
  lines: string[];
  /** Resolves with the next line the child prints. */
  next(): Promise<string>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  pid: number;
}

// Starts the child and hands back its lines as they come. Every wait is
// bounded: a line that does not come within 10 s fails the test, and the
// child is killed after 15 s whatever happens.
function start(mode: string, signal: string, rounds: number): Child {
  const proc = spawn(process.execPath, [script, mode, signal, String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let partial = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    let nl: number;
    while ((nl = partial.indexOf('\n')) !== -1) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, sig) => {
      clearTimeout(killer);
      resolve({ code, signal: sig });
    }),
  );
  return {
    lines,
    pid: proc.pid!,
    exited,
    next: () =>
      lines.length > 0
        ? Promise.resolve(lines.shift()!)
        : new Promise<string>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`no line from the child in 10 s; stderr: ${stderr}`)), 10_000);
            waiters.push((line) => {
              clearTimeout(t);
              resolve(line);
            });
          }),
  };
}

const field = (line: string, key: string) => Number(new RegExp(`${key}=(-?\\d+)`).exec(line)?.[1]);

describe('signals sent to a child that reads them from a signalfd', () => {
  it('SIGUSR1 sent to the process (kill) arrives, every time: Node\'s own threads block SIGUSR1', async () => {
    const rounds = 5;
    const child = start('read', 'SIGUSR1', rounds);
    const ready = await child.next();
    expect(ready).toMatch(/^ready/);
    expect(field(ready, 'tid')).toBe(child.pid); // the main thread's id is the pid
    expect(field(ready, 'unblocked')).toBe(0); // no thread of the process takes SIGUSR1
    for (let i = 0; i < rounds; i++) {
      process.kill(child.pid, 'SIGUSR1');
      const got = await child.next();
      expect(got).toBe(`got signo=${SIGUSR1} code=${SI_USER} pid=${process.pid}`);
    }
    expect(await child.next()).toBe('done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('any signal sent to the main thread (tgkill) arrives, every time', async () => {
    const rounds = 5;
    const child = start('read', 'SIGUSR2', rounds);
    const ready = await child.next();
    // Other threads do take SIGUSR2, so kill() would not be safe here ...
    expect(field(ready, 'unblocked')).toBeGreaterThan(0);
    for (let i = 0; i < rounds; i++) {
      // ... but a signal for one thread waits for that thread alone.
      tgkill(child.pid, child.pid, SIGUSR2);
      expect(await child.next()).toBe(`got signo=${SIGUSR2} code=${SI_TKILL} pid=${process.pid}`);
    }
    expect(await child.next()).toBe('done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('a thread that signals itself (tgkill to its own tid) reads it back', async () => {
    const child = start('self', 'SIGTERM', 3);
    const ready = await child.next();
    const pid = field(ready, 'pid');
    for (let i = 0; i < 3; i++) {
      expect(await child.next()).toBe(`got signo=${SIGTERM} code=${SI_TKILL} pid=${pid}`);
    }
    expect(await child.next()).toBe('done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('once libuv\'s thread pool has started, its threads do not block SIGUSR1 either', async () => {
    const child = start('pool-first', 'SIGUSR1', 0);
    const ready = await child.next();
    expect(field(ready, 'unblocked')).toBeGreaterThanOrEqual(4); // UV_THREADPOOL_SIZE defaults to 4
    expect(await child.next()).toBe('done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });
});

describe('a worker_thread with its own signalfd', () => {
  it('has its own tid, and tgkill to that tid reaches its signalfd', async () => {
    const rounds = 3;
    const w = new Worker(path.join(__dirname, 'workers', 'signalfd-worker.cjs'), { workerData: { rounds } });
    const messages: Array<Record<string, number>> = [];
    let wake: (() => void) | null = null;
    w.on('message', (m: Record<string, number>) => {
      messages.push(m);
      wake?.();
    });
    const nextMessage = async (): Promise<Record<string, number>> => {
      const deadline = Date.now() + 10_000;
      while (messages.length === 0) {
        if (Date.now() > deadline) throw new Error('no message from the worker in 10 s');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      return messages.shift()!;
    };
    try {
      const { tid } = await nextMessage();
      expect(tid).not.toBe(process.pid);
      expect(tid).not.toBe(gettid());
      for (let i = 0; i < rounds; i++) {
        tgkill(process.pid, tid!, SIGUSR2);
        expect(await nextMessage()).toEqual({ r: 128, signo: SIGUSR2, code: SI_TKILL, pid: process.pid });
      }
    } finally {
      await w.terminate();
    }
  });
});

describe('sigprocmask', () => {
  it('blocks and unblocks on the calling thread, and hands back the old mask', () => {
    const start = sigprocmask(SIG_BLOCK, null);
    try {
      expect(start).not.toContain(SIGHUP);
      expect(sigprocmask(SIG_BLOCK, [SIGHUP, SIGCHLD])).toEqual(start);
      const now = sigprocmask(SIG_BLOCK, null);
      expect(now).toContain(SIGHUP);
      expect(now).toContain(SIGCHLD);
      const old: number[] = [999];
      expect(pthread_sigmask(SIG_UNBLOCK, [SIGCHLD], old)).toBe(old); // C's out-parameter, filled
      expect(old).toEqual(now);
      expect(sigprocmask(SIG_BLOCK, null)).toEqual([...start, SIGHUP].sort((a, b) => a - b));
    } finally {
      sigprocmask(SIG_SETMASK, start);
    }
    expect(sigprocmask(SIG_BLOCK, null)).toEqual(start);
  });

  it('an unknown `how` is EINVAL; a number that is no signal is a RangeError', () => {
    expect(() => sigprocmask(99, [SIGHUP])).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'rt_sigprocmask' }));
    expect(() => sigprocmask(SIG_BLOCK, [0])).toThrow(RangeError);
    expect(() => sigprocmask(SIG_BLOCK, [SIGHUP, 65])).toThrow(/set\[1\]/);
    expect(() => sigprocmask(SIG_BLOCK, [1.5])).toThrow(TypeError);
    expect(() => (sigprocmask as (...a: unknown[]) => unknown)(SIG_BLOCK, SIGHUP)).toThrow(TypeError);
  });
});

describe('signalfd', () => {
  it('makes an fd (fd -1) with the SFD_ flags, changes its mask, reads -1 when empty', () => {
    const fd = signalfd(-1, [SIGUSR2], SFD_NONBLOCK | SFD_CLOEXEC);
    try {
      expect(isNonBlocking(fd)).toBe(true);
      expect(isCloseOnExec(fd)).toBe(true);
      expect(read(fd, Buffer.alloc(128))).toBe(-1);
      expect(signalfd(fd, [SIGUSR2, SIGINT])).toBe(fd); // a new mask for the same fd
    } finally {
      close(fd);
    }
  });

  it('the kernel answers for an fd that is not a signalfd (EINVAL) or not open (EBADF)', () => {
    const other = epoll_create1();
    const gone = epoll_create1();
    close(gone);
    try {
      expect(() => signalfd(other, [SIGUSR2])).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'signalfd' }));
      expect(() => signalfd(gone, [SIGUSR2])).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(() => signalfd(-1, [SIGUSR2], 0x1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      close(other);
    }
    expect(() => signalfd(-1, [99])).toThrow(/mask\[0\]/);
  });
});

describe('signalfd_siginfo', () => {
  it('decodes the header\'s layout at an offset, and refuses a short buffer', () => {
    const buf = Buffer.alloc(256);
    buf.writeUInt32LE(SIGUSR2, 128); // ssi_signo
    buf.writeInt32LE(SI_TKILL, 128 + 8); // ssi_code
    buf.writeUInt32LE(4321, 128 + 12); // ssi_pid
    const si = signalfd_siginfo(buf, 128);
    expect(si).toMatchObject({ ssi_signo: SIGUSR2, ssi_code: SI_TKILL, ssi_pid: 4321, ssi_ptr: 0n });
    expect(signalfd_siginfo(buf).ssi_signo).toBe(0);
    expect(() => signalfd_siginfo(Buffer.alloc(127))).toThrow(RangeError);
    expect(() => signalfd_siginfo(buf, 129)).toThrow(RangeError);
  });
});

describe('gettid and tgkill', () => {
  it('gettid is the pid on the main thread; tgkill with signal 0 checks the thread exists', () => {
    expect(gettid()).toBe(process.pid); // vitest runs each file on a child's main thread
    expect(() => tgkill(process.pid, gettid(), 0)).not.toThrow();
    expect(() => tgkill(process.pid, 0x3fffffff, 0)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'tgkill' }));
    expect(() => tgkill(process.pid, gettid(), 999)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
