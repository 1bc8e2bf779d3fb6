// EpollLoop: an epoll instance inside Node's event loop.
//
// The loop owns an epfd (fill it with epoll_ctl, exactly as in blocking
// mode). libuv watches that epfd; when it turns readable the loop calls
// epoll_wait(epfd, events, maxevents, 0) natively and calls the callback
// ONCE with the whole batch: (count, events), the same (mask, data) pairs as
// epoll_wait. The events array is created once and reused for every batch,
// so a running loop allocates nothing. Timers, promises and `net` keep
// working beside it, since it is one more libuv handle.
import { EpollEvents } from './epoll.js';
import { check, checkValue } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

/** The native handle: opaque to JS. */
type LoopHandle = object;

const n = nativeModule<{
  loopOpen(events: Uint32Array, maxevents: number): LoopHandle | OrErrno;
  loopFd(h: LoopHandle): OrErrno;
  loopStart(h: LoopHandle, cb: EpollLoopCallback): OrErrno;
  loopStop(h: LoopHandle): OrErrno;
  loopRef(h: LoopHandle): OrErrno;
  loopUnref(h: LoopHandle): OrErrno;
  loopHasRef(h: LoopHandle): OrErrno;
  loopClose(h: LoopHandle): OrErrno;
}>();

/**
 * Called with each batch: `count` ready fds, whose (mask, data) pairs are
 * `events[2*i]` and `events[2*i+1]` for i < count. `events` is the loop's
 * one array, overwritten by the next batch: copy out what must outlive the
 * call.
 */
export type EpollLoopCallback = (count: number, events: Uint32Array) => void;

/** Options for {@link EpollLoop}. */
export interface EpollLoopOptions {
  /** The most events one batch delivers (epoll_wait's maxevents); 1024 unless given. */
  maxevents?: number;
}

/**
 * An epoll instance watched by Node's event loop (libuv's uv_poll_t on the
 * epfd, on this thread's own loop, so it works in worker_threads).
 *
 * Like a Node handle, a started loop keeps the process alive until
 * {@link EpollLoop.stop}, {@link EpollLoop.unref} or
 * {@link EpollLoop.close}; a loop that is not started never does. A worker
 * that exits closes its loops. A callback that throws raises an uncaught
 * exception (process 'uncaughtException'), and the loop goes on with the
 * next batch if the process survives it.
 *
 * Stale events: the batch is read from the kernel before the callback runs,
 * so an fd closed while handling an earlier entry of the same batch may
 * still have entries after it, and a new fd may already have its number.
 * The callback must skip them (see docs/epoll.md); {@link Poller} does it
 * for you.
 */
export class EpollLoop {
  /** The array every batch is written to: 2 * maxevents elements. */
  readonly events: EpollEvents;
  /** The most events one batch delivers. */
  readonly maxevents: number;
  readonly #handle: LoopHandle;
  // Kept here rather than asked of the native side on every read: Poller
  // reads it for each epoll_ctl and wait. Only close() changes it (teardown
  // and the finalizer close a loop no JS can reach any more).
  #epfd: number;

  /**
   * Creates the epoll instance (epoll_create1(EPOLL_CLOEXEC)) and the libuv
   * handle that watches it, not yet started.
   * @see https://man7.org/linux/man-pages/man2/epoll_create1.2.html
   * @throws {SocketError} EMFILE, ENFILE, ENOMEM
   * @throws {RangeError} when maxevents is not an integer in [1, 2**27 - 1].
   */
  constructor(options: EpollLoopOptions = {}) {
    const maxevents = options.maxevents ?? 1024;
    if (!Number.isInteger(maxevents) || maxevents < 1 || maxevents > 0x7ffffff) {
      throw new RangeError(`maxevents must be an integer in [1, 2**27 - 1], got ${maxevents}`);
    }
    this.maxevents = maxevents;
    this.events = new EpollEvents(maxevents);
    this.#handle = checkValue(n.loopOpen(this.events, maxevents), 'epoll_create1');
    this.#epfd = n.loopFd(this.#handle);
  }

  /**
   * The loop's epoll fd, for epoll_ctl; -1 once closed. Never close it
   * yourself: {@link EpollLoop.close} does, after libuv stops watching it.
   */
  get epfd(): number {
    return this.#epfd;
  }

  /** Whether {@link EpollLoop.close} has run. */
  get closed(): boolean {
    return this.#epfd < 0;
  }

  /**
   * Starts delivering batches to `callback` (replacing any earlier one).
   * While started and referenced, the loop keeps the process alive.
   * @throws {SocketError} EBADF once the loop is closed.
   */
  start(callback: EpollLoopCallback): void {
    check(n.loopStart(this.#handle, callback), 'uv_poll_start');
  }

  /** Stops delivering batches; events stay queued in the kernel until {@link EpollLoop.start}. */
  stop(): void {
    n.loopStop(this.#handle);
  }

  /** Lets the started loop keep the process alive again (the default). */
  ref(): void {
    n.loopRef(this.#handle);
  }

  /** Lets the process exit even while the loop is started, as `server.unref()` does. */
  unref(): void {
    n.loopUnref(this.#handle);
  }

  /** Whether the loop would keep the process alive while started. */
  hasRef(): boolean {
    return n.loopHasRef(this.#handle) !== 0;
  }

  /**
   * Stops the loop, closes its epfd and releases the callback. No batch is
   * delivered afterwards, even from inside a callback. Calling it again is
   * a no-op. The fds registered in it are the caller's to close.
   */
  close(): void {
    n.loopClose(this.#handle);
    this.#epfd = -1;
  }
}
