// Poller: per-fd handlers on top of the C-shaped calls, for either mode.
//
// Each registered fd gets a slot; the slot number is the epoll data token,
// so a batch entry leads straight to its handler with two array reads and
// no allocation. Slots are what make stale events impossible: a slot
// removed during a batch is not reused before the batch ends, so a later
// entry of the same batch for that slot finds no handler and is skipped,
// even when a new fd with the same number was registered meanwhile (it got
// another slot).
import { EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EBADF, ENOENT } from './constants.js';
import { SocketError } from './errors.js';
import { epoll_ctl, epoll_wait } from './epoll.js';
import { EpollLoop } from './loop.js';

/** Called with the fd and the event mask (EPOLLIN, EPOLLOUT, EPOLLHUP, ...) of one event. */
export type PollerHandler = (fd: number, events: number) => void;

// A handler is called from the dispatch, long after add() returned: a
// non-function there would throw from inside a batch, uncaught. So it is
// checked here, before the kernel hears of the fd.
function checkHandler(handler: unknown): void {
  if (typeof handler !== 'function') {
    throw new TypeError(`Expected argument 'handler' to be a function, got ${typeof handler}`);
  }
}

/** Options for {@link Poller}. */
export interface PollerOptions {
  /** The most events one batch delivers; 1024 unless given. */
  maxevents?: number;
}

/**
 * Per-fd handlers over one epoll instance. Use it blocking, like C
 * (`for (;;) poller.wait(-1)`), or inside Node's event loop
 * (`poller.start()`); the registrations are the same.
 *
 * The rule for closing: call {@link Poller.remove} before `close(fd)`, from
 * anywhere, including a handler. The rest of the current batch then skips
 * that fd, and a new fd that reuses its number (accepted in the same batch)
 * gets only its own events. If an fd was closed without remove, the kernel
 * drops its registration only when no other fd (a dup, a forked child's
 * copy) refers to the same open file; then adding its number again works and
 * the Poller retires the old handler. Otherwise the old registration lingers
 * and cannot be removed, so always remove before close.
 */
export class Poller {
  readonly #loop: EpollLoop;
  readonly #events: Uint32Array;
  readonly #maxevents: number;
  // By slot: the handler (null when free) and the fd.
  readonly #handlers: Array<PollerHandler | null> = [];
  readonly #fds: number[] = [];
  // Slots ready for reuse, and slots freed during the current batch.
  readonly #free: number[] = [];
  readonly #retired: number[] = [];
  readonly #slotOf = new Map<number, number>();
  // Batches being dispatched (a handler may call wait() itself).
  #depth = 0;
  readonly #dispatch: (count: number, events: Uint32Array) => void;

  /**
   * Creates the epoll instance (through an {@link EpollLoop}, not started).
   * @throws {SocketError} EMFILE, ENFILE, ENOMEM
   */
  constructor(options: PollerOptions = {}) {
    this.#loop = new EpollLoop({ maxevents: options.maxevents ?? 1024 });
    this.#events = this.#loop.events;
    this.#maxevents = this.#loop.maxevents;
    // Bound once here, so start() hands libuv the same function every time.
    this.#dispatch = (count, events) => this.#run(count, events);
  }

  /** The epoll fd. */
  get epfd(): number {
    return this.#loop.epfd;
  }

  /** How many fds are registered. */
  get size(): number {
    return this.#slotOf.size;
  }

  /**
   * Registers `fd` for `events` (EPOLLIN, EPOLLOUT, EPOLLET, ...) with its
   * handler: epoll_ctl(EPOLL_CTL_ADD).
   * @see https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
   * @throws {SocketError} EEXIST (already registered), EPERM (a regular file), EBADF
   * @throws {TypeError} when `handler` is not a function.
   */
  add(fd: number, events: number, handler: PollerHandler): void {
    checkHandler(handler);
    const reuse = this.#free.length > 0;
    const slot = reuse ? this.#free[this.#free.length - 1] : this.#handlers.length;
    epoll_ctl(this.#loop.epfd, EPOLL_CTL_ADD, fd, events, slot);
    if (reuse) {
      this.#free.pop();
      this.#handlers[slot] = handler;
      this.#fds[slot] = fd;
    } else {
      this.#handlers.push(handler);
      this.#fds.push(fd);
    }
    // The kernel accepted the ADD, so an earlier fd with this number was
    // closed without remove() and its registration is gone (or, had the file
    // been dup'ed, lingers out of reach): retire its slot either way.
    const old = this.#slotOf.get(fd);
    if (old !== undefined) this.#release(old);
    this.#slotOf.set(fd, slot);
  }

  /**
   * Changes the events of a registered fd, and its handler when one is
   * given: epoll_ctl(EPOLL_CTL_MOD). Also re-arms an EPOLLONESHOT fd.
   * @see https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
   * @throws {SocketError} ENOENT (not registered), EBADF
   * @throws {TypeError} when `handler` is given and is not a function.
   */
  modify(fd: number, events: number, handler?: PollerHandler): void {
    if (handler !== undefined) checkHandler(handler);
    const slot = this.#slotOf.get(fd);
    if (slot === undefined) throw new SocketError(ENOENT, 'epoll_ctl');
    epoll_ctl(this.#loop.epfd, EPOLL_CTL_MOD, fd, events, slot);
    if (handler !== undefined) this.#handlers[slot] = handler;
  }

  /**
   * Unregisters `fd` (epoll_ctl(EPOLL_CTL_DEL)) and drops its handler, so
   * no further event reaches it, not even one already read in the current
   * batch. Call it before `close(fd)`. Removing an fd that was already
   * closed still drops the handler.
   * @see https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
   * @throws {SocketError} ENOENT (not registered)
   */
  remove(fd: number): void {
    const slot = this.#slotOf.get(fd);
    if (slot === undefined) throw new SocketError(ENOENT, 'epoll_ctl');
    this.#slotOf.delete(fd);
    this.#release(slot);
    try {
      epoll_ctl(this.#loop.epfd, EPOLL_CTL_DEL, fd);
    } catch (e) {
      // Closed already (EBADF), or closed and its number reused by an fd
      // this epoll does not watch (ENOENT): the kernel has forgotten it.
      const code = (e as SocketError).errno;
      if (code !== EBADF && code !== ENOENT) throw e;
    }
  }

  /**
   * Blocking mode: one epoll_wait(epfd, ..., timeoutMs) and the handlers of
   * every event it returns. Returns the number of events (0 on timeout).
   * @see https://man7.org/linux/man-pages/man2/epoll_wait.2.html
   * @throws {SocketError} EBADF once closed; whatever a handler throws.
   */
  wait(timeoutMs: number): number {
    const count = epoll_wait(this.#loop.epfd, this.#events, this.#maxevents, timeoutMs);
    this.#run(count, this.#events);
    return count;
  }

  /** Integrated mode: dispatch batches from Node's event loop until {@link Poller.stop}. */
  start(): void {
    this.#loop.start(this.#dispatch);
  }

  /** Stops dispatching from Node's event loop. */
  stop(): void {
    this.#loop.stop();
  }

  /** Lets the started poller keep the process alive (the default). */
  ref(): void {
    this.#loop.ref();
  }

  /** Lets the process exit while the poller is started. */
  unref(): void {
    this.#loop.unref();
  }

  /** Closes the epoll fd and drops every handler; the registered fds stay open (they are yours). */
  close(): void {
    this.#loop.close();
    this.#handlers.fill(null);
    this.#slotOf.clear();
  }

  #release(slot: number): void {
    this.#handlers[slot] = null;
    if (this.#depth > 0) this.#retired.push(slot);
    else this.#free.push(slot);
  }

  #run(count: number, events: Uint32Array): void {
    this.#depth++;
    try {
      for (let i = 0; i < count; i++) {
        const slot = events[2 * i + 1];
        const handler = this.#handlers[slot];
        if (handler) handler(this.#fds[slot], events[2 * i]);
      }
    } finally {
      if (--this.#depth === 0) {
        while (this.#retired.length > 0) this.#free.push(this.#retired.pop() as number);
      }
    }
  }
}
