// Signals sent to this process while its main thread waits, and what /proc
// shows of the wait: for the calls that take a signal mask (pselect, ppoll,
// epoll_pwait, epoll_pwait2) and the EINTR retry of every timed wait.
import { readFileSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SIGTERM, SIGUSR2, type Sigmask } from '../lib/index.js';

/** What {@link waitUnderSignals} saw. */
export interface SignalledWait {
  /** What the wait returned. */
  result: number;
  /** How long it took, in milliseconds. */
  waitedMs: number;
  /** The waiting thread's blocked-signal mask during the wait, as /proc shows it (bit n-1 for signal n). */
  blockedDuring: bigint;
  /** The same after the wait: the mask the thread had before it. */
  blockedAfter: bigint;
  /**
   * How many times the thread went back to sleep while the signals were sent:
   * the rise of its voluntary context switches, one for each time a signal
   * woke it and the wait was retried, 0 when none reached it.
   */
  interruptions: number;
  /** How many of the signals the process's JS listener saw after the wait. */
  handled: number;
}

const SIGNALLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { tid, shared, count, everyMs } = workerData;
const out = new BigInt64Array(shared);
const status = () => readFileSync('/proc/self/task/' + tid + '/status', 'utf8');
const field = (s, name) => s.match(new RegExp('^' + name + ':\\\\s*(\\\\w+)', 'm'))[1];
parentPort.once('message', () => {
  setTimeout(() => {
    const s0 = status();
    out[0] = BigInt('0x' + field(s0, 'SigBlk'));
    out[1] = BigInt(field(s0, 'voluntary_ctxt_switches'));
    let n = 0;
    const t = setInterval(() => {
      process.kill(process.pid, 'SIGUSR2');
      if (++n === count) {
        clearInterval(t);
        setTimeout(() => { out[2] = BigInt(field(status(), 'voluntary_ctxt_switches')); Atomics.store(out, 3, 1n); }, 20);
      }
    }, everyMs);
  }, 20);
});`;

/**
 * Runs `wait` (a blocking call with a timeout longer than `count * everyMs`
 * + 60 ms) on this thread while a worker sends SIGUSR2 to the process
 * `count` times, and reports, from /proc, this thread's signal mask during
 * the wait and whether the signals interrupted it. SIGUSR2 rather than
 * SIGUSR1, which Node keeps for its inspector. A process-directed signal
 * goes to the main thread first unless the main thread blocks it; the
 * tests run in their file's process's main thread (vitest's forks pool).
 */
export async function waitUnderSignals(wait: () => number, count = 5, everyMs = 50): Promise<SignalledWait> {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (tid !== process.pid) throw new Error('waitUnderSignals needs the main thread');
  let handled = 0;
  const onSignal = (): void => {
    handled++;
  };
  process.on('SIGUSR2', onSignal);
  const shared = new SharedArrayBuffer(32);
  const out = new BigInt64Array(shared);
  const worker = new Worker(SIGNALLER, { eval: true, workerData: { tid, shared, count, everyMs } });
  try {
    await new Promise((resolve) => worker.once('online', resolve));
    worker.postMessage('go');
    const t0 = process.hrtime.bigint();
    const result = wait();
    const waitedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const blockedAfter = BigInt('0x' + /^SigBlk:\s*(\w+)/m.exec(readFileSync('/proc/thread-self/status', 'utf8'))![1]);
    if (Atomics.load(out, 3) !== 1n) throw new Error('the wait ended before the signals did: make its timeout longer');
    // The JS listener runs once the event loop reads libuv's signal pipe.
    for (let i = 0; i < 100 && handled === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return { result, waitedMs, blockedDuring: out[0]!, blockedAfter, interruptions: Number(out[2]! - out[1]!), handled };
  } finally {
    await worker.terminate();
    process.off('SIGUSR2', onSignal);
  }
}

/**
 * The checks every mask-taking wait must pass: `wait(mask)` is a 1.5 s wait (long beside the signals, so a loaded machine still delivers them all inside it)
 * (with nothing ready) while five SIGUSR2 arrive 40 ms apart.
 */
export function describeSignalMask(name: string, wait: (mask: Sigmask) => number): void {
  describe(`${name} and a signal mask`, () => {
    it('null: the signals interrupt the wait, which is retried with the time that remains', async () => {
      const w = await waitUnderSignals(() => wait(null), 5, 40);
      expect(w.result).toBe(0);
      expect(w.blockedDuring).toBe(0n);
      expect(w.interruptions).toBeGreaterThanOrEqual(3);
      expect(w.waitedMs).toBeGreaterThanOrEqual(1495);
      expect(w.waitedMs).toBeLessThan(1700); // a restarted timeout would end after 1760 ms
    });

    it('[SIGUSR2]: the whole mask of this thread for the wait, so no SIGUSR2 interrupts it', async () => {
      const w = await waitUnderSignals(() => wait([SIGUSR2]), 5, 40);
      expect(w.result).toBe(0);
      expect(w.blockedDuring).toBe(1n << BigInt(SIGUSR2 - 1));
      expect(w.blockedAfter).toBe(0n); // restored when the wait returned
      expect(w.interruptions).toBe(0);
      expect(w.waitedMs).toBeGreaterThanOrEqual(1495);
      expect(w.waitedMs).toBeLessThan(1700);
      expect(w.handled).toBeGreaterThan(0); // another of Node's threads took them
    });

    it('[SIGTERM]: a mask that leaves SIGUSR2 out does not hold it back', async () => {
      const w = await waitUnderSignals(() => wait([SIGTERM]), 5, 40);
      expect(w.blockedDuring).toBe(1n << BigInt(SIGTERM - 1));
      expect(w.interruptions).toBeGreaterThanOrEqual(3);
      expect(w.waitedMs).toBeLessThan(1700);
    });

    it('bad sigmask: not an array, a non-integer, a number sigaddset refuses', () => {
      expect(() => wait('SIGUSR2' as unknown as Sigmask)).toThrow(/'sigmask'.*array/);
      expect(() => wait([SIGUSR2, 1.5])).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/'sigmask\[1\]'/) }),
      );
      for (const bad of [0, 65, -1, 32]) {
        expect(() => wait([SIGUSR2, bad])).toThrow(
          expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/'sigmask\[1\]'.*sigaddset/) }),
        );
      }
    });
  });
}
