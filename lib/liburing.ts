// A liburing-shaped io_uring, with liburing's names so that its man pages
// and examples translate: io_uring_queue_init, io_uring_get_sqe, the prep
// calls (uring-prep.ts), io_uring_submit, io_uring_peek_cqe, ...
//
// The rings are shared memory. Preparing an SQE writes a staging slot and
// reading a CQE reads a completion ring, both plain typed-array accesses:
// no Node-API call per operation. One native call a batch (io_uring_submit)
// checks every staged SQE, turns its arena references into addresses,
// enters the kernel, and copies the new CQEs into the completion ring JS
// reads (native/uring_submit.cc): JS sees no memory the kernel reads, and the
// ring counts the operations in flight from the kernel's own words. Buffers live in arenas the
// ring allocates and keeps alive until the ring is closed and every
// operation has ended, so nothing JS does can make the kernel touch memory
// the ring does not own.
import { check, checkUringSetup, checkValue } from './check.js';
import { nativeModule, type OrErrno } from './native.js';
import type { IoUringParams } from './uring.js';

type RingHandle = object;

const n = nativeModule<{
  uringOpen(entries: number, params: IoUringParams): RingHandle | OrErrno;
  uringViews(h: RingHandle): [ArrayBuffer, ArrayBuffer] | OrErrno;
  uringFd(h: RingHandle): OrErrno;
  uringArena(h: RingHandle, size: number): ArrayBuffer | OrErrno;
  uringSubmit(h: RingHandle, count: number, min_complete: number, flags: number): OrErrno;
  uringReap(h: RingHandle): OrErrno;
  uringClose(h: RingHandle): OrErrno;
  constants: Readonly<Record<string, number>>;
}>();
const C = n.constants as Record<string, number>;
const GETEVENTS = C.IORING_ENTER_GETEVENTS!;
const EBUSY = C.EBUSY!;
const TWO32 = 2 ** 32;

/**
 * One slot of the ring's SQE staging area, as io_uring_get_sqe hands it out.
 * The same object comes back for the same slot: keep none past the submit.
 */
export class IoUringSqe {
  /** Byte offset of the slot; `u32` index is `base / 4`. */
  readonly base: number;
  /** Views of the staging area: the SQE at [base, base + 64), laid out as struct io_uring_sqe. */
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  constructor(buffer: ArrayBuffer, index: number) {
    this.base = index * 64;
    this.u8 = new Uint8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
  }
  /** The SQE's ioprio, as C's `sqe->ioprio |= IORING_RECVSEND_BUNDLE`: the operation's flags for send and recv. */
  get ioprio(): number {
    return this.u16[(this.base + 2) >>> 1]!;
  }
  set ioprio(v: number) {
    this.u16[(this.base + 2) >>> 1] = v;
  }
}

/** struct io_uring_cqe, read in place from the ring's completion ring: valid until it is marked seen. */
export class IoUringCqe {
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;
  readonly #w: number;
  constructor(u32: Uint32Array, i32: Int32Array, word: number) {
    this.#u32 = u32;
    this.#i32 = i32;
    this.#w = word;
  }
  /** The SQE's user_data, as io_uring_sqe_set_data set it (an integer below 2**53). */
  get user_data(): number {
    return this.#u32[this.#w]! + this.#u32[this.#w + 1]! * TWO32;
  }
  /** The operation's result: what the system call would return, or -errno. */
  get res(): number {
    return this.#i32[this.#w + 2]!;
  }
  /** IORING_CQE_F_* flags; with IORING_CQE_F_BUFFER the buffer id is `flags >>> IORING_CQE_BUFFER_SHIFT`. */
  get flags(): number {
    return this.#u32[this.#w + 3]!;
  }
}

/**
 * Memory for I/O buffers, allocated by the ring (mmap(2)) and alive until
 * the ring is closed and every operation has ended. SQEs name a place in it
 * by {@link IoUringArena.ref}; the ring checks each against the arena's
 * bounds before the kernel sees an address.
 */
export class IoUringArena {
  /** Which arena of its ring (0 for the first allocated). */
  readonly index: number;
  /** The arena's bytes (detached, length 0, once the ring is closed). */
  readonly bytes: Uint8Array;
  readonly size: number;
  constructor(index: number, buffer: ArrayBuffer) {
    this.index = index;
    this.bytes = new Uint8Array(buffer);
    this.size = buffer.byteLength;
  }
  /** The reference to byte `offset` that SQEs carry where C's carry a pointer. */
  ref(offset = 0): number {
    return (this.index + 1) * TWO32 + offset;
  }
}

/** struct io_uring: a ring with its completion ring and SQE staging area mapped, from {@link io_uring_queue_init}. */
export class IoUring {
  #fd: number;
  /** The params as the kernel filled them in. */
  readonly params: IoUringParams;
  readonly sq_entries: number;
  readonly cq_entries: number;
  /** @internal */ readonly handle: RingHandle;
  /** @internal */ readonly arenas: IoUringArena[] = [];
  /** @internal Staged SQEs, in slots 0..staged-1. */ staged = 0;
  /** @internal */ readonly sqes: IoUringSqe[] = [];
  /** @internal */ readonly cqes: IoUringCqe[] = [];
  /** @internal The completion ring's words: 0 its tail, 1 its head, CQEs from word 16. */ readonly cq: Uint32Array;
  readonly #cqmask: number;
  #head = 0;

  /** Use {@link io_uring_queue_init} or {@link io_uring_queue_init_params}. */
  constructor(entries: number, params: IoUringParams) {
    this.handle = checkUringSetup(n.uringOpen(entries, params), 'io_uring_setup');
    this.params = params;
    this.#fd = n.uringFd(this.handle);
    this.sq_entries = params.sq_entries!;
    this.cq_entries = params.cq_entries!;
    const [cqBuf, staging] = checkValue(n.uringViews(this.handle), 'io_uring_setup');
    this.cq = new Uint32Array(cqBuf);
    const i32 = new Int32Array(cqBuf);
    this.#cqmask = this.cq_entries - 1;
    for (let i = 0; i < this.sq_entries; i++) this.sqes.push(new IoUringSqe(staging, i));
    for (let i = 0; i < this.cq_entries; i++) this.cqes.push(new IoUringCqe(this.cq, i32, 16 + 4 * i));
  }

  /** The ring's fd (-1 once closed): for io_uring_register, or to poll for completions. */
  get ring_fd(): number {
    return this.#fd;
  }

  /** @internal io_uring_queue_exit. */
  close(): void {
    n.uringClose(this.handle);
    this.#fd = -1;
    this.staged = 0;
  }

  /** @internal io_uring_get_sqe. */
  getSqe(): IoUringSqe | null {
    return this.staged < this.sq_entries && this.ring_fd >= 0 ? this.sqes[this.staged++]! : null;
  }

  /** @internal Submits the staged SQEs (all or none), waiting for `wait` CQEs. */
  submit(wait: number, flags: number): number {
    const count = this.staged;
    let r: number;
    try {
      r = n.uringSubmit(this.handle, count, wait, flags);
    } catch (e) {
      this.staged = 0; // a refused batch is dropped whole: none of it reached the kernel
      throw e;
    }
    // EBUSY keeps the batch staged only when it never reached the SQ ring
    // (no room); the kernel's own EBUSY leaves it there for the next enter
    // (word 2 of the completion copy's header says which).
    if (r !== -EBUSY || this.cq[2] !== 0) this.staged = 0;
    return check(r, 'io_uring_enter');
  }

  /** @internal Waits for `nr` CQEs (io_uring_enter with GETEVENTS), submitting nothing new, and reaps. */
  wait(nr: number): void {
    check(n.uringSubmit(this.handle, 0, nr, GETEVENTS), 'io_uring_enter');
  }

  /** @internal CQEs ready in the completion ring: its tail (an acquire load) less our head. */
  ready(): number {
    if (this.#fd < 0) return 0; // closed: the view is detached
    return (Atomics.load(this.cq, 0) - this.#head) >>> 0;
  }

  /** @internal CQEs ready, reaping the kernel's first (one native call) when there are none. */
  reap(): number {
    const ready = this.ready();
    if (ready > 0 || this.#fd < 0) return ready;
    n.uringReap(this.handle);
    return this.ready();
  }

  /** @internal The CQE at the head, or null. */
  peek(): IoUringCqe | null {
    return this.reap() === 0 ? null : this.cqes[this.#head & this.#cqmask]!;
  }

  /** @internal The i-th ready CQE after the head (i < ready()). */
  at(i: number): IoUringCqe {
    return this.cqes[(this.#head + i) & this.#cqmask]!;
  }

  /** @internal Marks `count` CQEs seen: a release store of the new head. */
  advance(count: number): void {
    if (this.#fd < 0) return;
    this.#head = (this.#head + count) >>> 0;
    Atomics.store(this.cq, 1, this.#head);
  }

  /** @internal */
  addArena(buffer: ArrayBuffer): IoUringArena {
    const a = new IoUringArena(this.arenas.length, buffer);
    this.arenas.push(a);
    return a;
  }
}

/**
 * Sets up a ring of at least `entries` SQEs with IORING_SETUP_* `flags` and
 * maps it. Corresponds to io_uring_queue_init(3). SQPOLL, SQE128 and CQE32
 * are a RangeError (the ring object cannot serve them; io_uring_setup takes
 * them).
 * @see https://man7.org/linux/man-pages/man3/io_uring_queue_init.3.html
 * @throws {SocketError} EINVAL, EMFILE, ENOMEM; EPERM or ENOSYS where io_uring is not allowed.
 */
export function io_uring_queue_init(entries: number, flags = 0): IoUring {
  return new IoUring(entries, { flags });
}

/**
 * As {@link io_uring_queue_init}, with the whole io_uring_params (filled in
 * by the kernel). Corresponds to io_uring_queue_init_params(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_queue_init_params.3.html
 * @throws {SocketError} EINVAL, EMFILE, ENOMEM; EPERM or ENOSYS where io_uring is not allowed.
 */
export function io_uring_queue_init_params(entries: number, params: IoUringParams): IoUring {
  return new IoUring(entries, params);
}

/**
 * Tears the ring down: cancels every operation in flight and waits for
 * them (IORING_REGISTER_SYNC_CANCEL), closes the fd, and detaches the views
 * (arenas, CQ ring, staging area) so their memory goes at once. Calling it
 * again is a no-op. A ring that is garbage collected, or whose worker
 * exits, is torn down the same way. Corresponds to io_uring_queue_exit(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_queue_exit.3.html
 */
export function io_uring_queue_exit(ring: IoUring): void {
  ring.close();
}

/**
 * Allocates an arena of `size` bytes for I/O buffers (mmap(2), zeroed),
 * alive as long as the ring. liburing has no such call: its buffers are
 * the caller's memory, which JS cannot lend the kernel safely.
 * @throws {SocketError} ENOMEM; EBADF once the ring is closed.
 */
export function io_uring_alloc_arena(ring: IoUring, size: number): IoUringArena {
  return ring.addArena(checkValue(n.uringArena(ring.handle, size), 'mmap'));
}

/**
 * The next free SQE of the staging area, or null when `sq_entries` are
 * staged and not yet submitted (or the ring is closed). Corresponds to io_uring_get_sqe(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_get_sqe.3.html
 */
export function io_uring_get_sqe(ring: IoUring): IoUringSqe | null {
  return ring.getSqe();
}

/**
 * Submits every staged SQE and returns how many the kernel took. Each is
 * checked first; a refused one (an opcode or flag the ring does not
 * allow, a buffer outside its arena) is a RangeError naming it, and then no
 * SQE of the batch is submitted and the batch is dropped. Corresponds to
 * io_uring_submit(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_submit.3.html
 * @throws {SocketError} as io_uring_enter(2); EBUSY (SQEs kept) when the SQ ring still holds earlier ones.
 * @throws {RangeError} for a refused SQE.
 */
export function io_uring_submit(ring: IoUring): number {
  return ring.submit(0, 0);
}

/**
 * As {@link io_uring_submit}, then waits until `wait_nr` CQEs are ready.
 * Corresponds to io_uring_submit_and_wait(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_submit_and_wait.3.html
 * @throws {SocketError} as io_uring_enter(2).
 * @throws {RangeError} for a refused SQE.
 */
export function io_uring_submit_and_wait(ring: IoUring, wait_nr: number): number {
  return ring.submit(wait_nr, GETEVENTS);
}

/**
 * The CQE at the head of the CQ ring, or null (C's -EAGAIN) when none is
 * ready; it stays there until marked seen. Corresponds to io_uring_peek_cqe(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_peek_cqe.3.html
 */
export function io_uring_peek_cqe(ring: IoUring): IoUringCqe | null {
  return ring.peek();
}

/**
 * The CQE at the head, waiting for one (io_uring_enter(2) with
 * IORING_ENTER_GETEVENTS) when none is ready. Submits nothing. Corresponds
 * to io_uring_wait_cqe(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_wait_cqe.3.html
 * @throws {SocketError} as io_uring_enter(2).
 */
export function io_uring_wait_cqe(ring: IoUring): IoUringCqe {
  for (;;) {
    const cqe = ring.peek();
    if (cqe !== null) return cqe;
    ring.wait(1);
  }
}

/**
 * Calls `fn` with each ready CQE, head first, and returns how many there
 * were; marks none seen (call {@link io_uring_cq_advance} with the count),
 * as liburing's io_uring_for_each_cqe macro. Corresponds to
 * io_uring_for_each_cqe(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_for_each_cqe.3.html
 */
export function io_uring_for_each_cqe(ring: IoUring, fn: (cqe: IoUringCqe) => void): number {
  const count = ring.reap();
  for (let i = 0; i < count; i++) fn(ring.at(i));
  return count;
}

/**
 * The number of CQEs ready to be read. Corresponds to io_uring_cq_ready(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_cq_ready.3.html
 */
export function io_uring_cq_ready(ring: IoUring): number {
  return ring.reap();
}

/**
 * Marks `nr` CQEs seen, handing their slots back to the kernel.
 * Corresponds to io_uring_cq_advance(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_cq_advance.3.html
 */
export function io_uring_cq_advance(ring: IoUring, nr: number): void {
  ring.advance(nr);
}

/**
 * Marks one CQE (the head, from peek or wait) seen. Corresponds to
 * io_uring_cqe_seen(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_cqe_seen.3.html
 */
export function io_uring_cqe_seen(ring: IoUring, _cqe: IoUringCqe): void {
  ring.advance(1);
}

/**
 * The user_data of a CQE. Corresponds to io_uring_cqe_get_data64(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_cqe_get_data.3.html
 */
export function io_uring_cqe_get_data(cqe: IoUringCqe): number {
  return cqe.user_data;
}
