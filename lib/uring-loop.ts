// IoUringLoop: an io_uring inside Node's event loop, one Node-API call a
// batch.
//
// libuv watches the ring's fd (native/uring_loop.cc); when completions
// arrive, the native side reaps them into the ring's completion ring, calls
// the callback once, and then submits the SQEs the callback staged, checked
// as io_uring_submit checks them: the callback reads CQEs and prepares SQEs
// with plain typed-array accesses, and the only crossing between JS and
// native code is the call of the callback itself. The count of staged SQEs
// and the callback's "wait for n CQEs" travel in a small control array.
import { check, checkValue } from './check.js';
import { SocketError } from './errors.js';
import { io_uring_submit, type IoUring } from './liburing.js';
import { nativeModule, type OrErrno } from './native.js';

type LoopHandle = object;

const n = nativeModule<{
  uringLoopOpen(ring: object, ctl: Uint32Array): LoopHandle | OrErrno;
  uringLoopStart(h: LoopHandle, cb: (err?: number, kept?: number) => void): OrErrno;
  uringLoopStop(h: LoopHandle): OrErrno;
  uringLoopRef(h: LoopHandle): OrErrno;
  uringLoopUnref(h: LoopHandle): OrErrno;
  uringLoopHasRef(h: LoopHandle): OrErrno;
  uringLoopClose(h: LoopHandle): OrErrno;
  constants: Readonly<Record<string, number>>;
}>();
const DEFER_TASKRUN = n.constants.IORING_SETUP_DEFER_TASKRUN!;
const STAGED = 0;
const WANT = 1;

/**
 * Called once per batch with the ring: read the ready CQEs
 * (io_uring_for_each_cqe, io_uring_cq_advance) and stage the SQEs they call
 * for (io_uring_get_sqe, io_uring_prep_*); the loop submits those when the
 * callback returns. Calling io_uring_submit yourself works too. It may
 * return how many CQEs must be ready before it is called again (an integer
 * of at least 1; nothing means 1), as io_uring_submit_and_wait's `wait_nr`:
 * a server whose next k CQEs need no work of their own returns k + 1.
 */
export type IoUringLoopCallback = (ring: IoUring) => number | void;

/**
 * An io_uring inside Node's event loop: libuv watches the ring's fd (on this
 * thread's own loop, so it works in worker_threads), and on each batch of
 * completions the native side reaps them, calls the callback once and
 * submits what it staged, in one Node-API call. CQEs that were reaped but
 * not read (by a wait, or left by the callback) get a turn of their own,
 * since they would not wake the fd.
 *
 * With IORING_SETUP_DEFER_TASKRUN, whose completions are posted only when
 * the ring is entered and do not wake epoll, the loop registers an eventfd
 * of its own on the ring (IORING_REGISTER_EVENTFD: the ring must not have
 * one) and enters the kernel itself before reading the CQEs: it works, at
 * the cost of an eventfd read and an io_uring_enter per wake-up.
 *
 * Like a Node handle, a started loop keeps the process alive until
 * {@link IoUringLoop.stop}, {@link IoUringLoop.unref} or
 * {@link IoUringLoop.close}; a worker that exits closes its loops, and
 * closing the ring closes the loop. A callback that throws raises an
 * uncaught exception (process 'uncaughtException'), and so does a refused
 * SQE (RangeError: the batch is dropped) or a failed submit (SocketError).
 * Closing the loop leaves the ring open.
 */
export class IoUringLoop {
  readonly ring: IoUring;
  readonly #handle: LoopHandle;
  // Word 0: SQEs staged by the callback (slots 0..n-1), submitted natively
  // when it returns; word 1: CQEs to wait for before the next call.
  readonly #ctl = new Uint32Array(4);
  #closed = false;

  /**
   * Watches `ring`'s fd with libuv (a private dup of it; for a
   * DEFER_TASKRUN ring, an eventfd registered on it).
   * @throws {SocketError} EBADF (the ring is closed), EMFILE; EBUSY for a
   *   DEFER_TASKRUN ring that has an eventfd registered already.
   */
  constructor(ring: IoUring) {
    this.ring = ring;
    const deferred = ((ring.params.flags ?? 0) & DEFER_TASKRUN) !== 0;
    this.#handle = checkValue(n.uringLoopOpen(ring.handle, this.#ctl), deferred ? 'io_uring_register' : 'fcntl');
  }

  /**
   * Calls `callback(ring)` whenever CQEs are ready (see
   * {@link IoUringLoopCallback}), replacing any earlier callback; while
   * started and referenced, keeps the process alive.
   * @throws {TypeError} when `callback` is not a function.
   * @throws {SocketError} EBADF once the loop is closed.
   */
  start(callback: IoUringLoopCallback): void {
    if (typeof callback !== 'function') throw new TypeError("Expected argument 'callback' to be a function");
    const ring = this.ring;
    const ctl = this.#ctl;
    const run = (err?: number, kept?: number): void => {
      if (err !== undefined) {
        ring.staged = kept ?? 0; // EBUSY keeps them, as io_uring_submit does
        throw new SocketError(-err, 'io_uring_enter');
      }
      const want = callback(ring);
      if (this.#closed) {
        if (ring.staged > 0) io_uring_submit(ring); // closed inside: no one else will
        return;
      }
      ctl[STAGED] = ring.staged;
      ring.staged = 0;
      if (want === undefined) ctl[WANT] = 1;
      else if (Number.isInteger(want) && want >= 1) ctl[WANT] = Math.min(want, 0xffffffff);
      else {
        ctl[WANT] = 1;
        throw new RangeError(`IoUringLoop callback returned ${String(want)}: expected nothing or an integer >= 1`);
      }
    };
    ctl[WANT] = 1;
    check(n.uringLoopStart(this.#handle, run), 'uv_poll_start');
  }

  /** Stops the callbacks; CQEs wait in the ring until {@link IoUringLoop.start}. */
  stop(): void {
    n.uringLoopStop(this.#handle);
  }

  /** Keeps the process alive while started (the default). */
  ref(): void {
    n.uringLoopRef(this.#handle);
  }

  /** Lets the process exit while started, as `server.unref()` does. */
  unref(): void {
    n.uringLoopUnref(this.#handle);
  }

  /** Whether the loop would keep the process alive while started. */
  hasRef(): boolean {
    return n.uringLoopHasRef(this.#handle) !== 0;
  }

  /**
   * Stops watching and releases the callback; no batch is delivered
   * afterwards, even from inside a callback. The ring stays open. Calling
   * it again is a no-op.
   */
  close(): void {
    this.#closed = true;
    n.uringLoopClose(this.#handle);
  }
}
