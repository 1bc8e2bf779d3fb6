// Provided-buffer rings (IORING_REGISTER_PBUF_RING, Linux 5.19) and the
// liburing register helpers. (IoUringLoop, the ring inside Node's event
// loop, is in uring-loop.ts.)
//
// A buffer ring is two rings: the kernel's, holding addresses, which JS
// never sees, and a staging ring that io_uring_buf_ring_add writes with
// arena offsets. io_uring_buf_ring_advance checks the new entries against
// the arena and publishes them to the kernel: one native call per batch of
// buffers handed back.
import { checkValue } from './check.js';
import { SocketError } from './errors.js';
import type { IoUring, IoUringArena } from './liburing.js';
import { nativeModule, type OrErrno } from './native.js';
import { io_uring_register, type IoUringProbe } from './uring.js';

const n = nativeModule<{
  uringBufRing(h: object, bgid: number, entries: number, arena: number, flags: number): ArrayBuffer | OrErrno;
  uringBufRingAdvance(h: object, bgid: number, count: number): OrErrno;
  constants: Record<string, number>;
}>();
const C = n.constants;

/** struct io_uring_buf_ring, as {@link io_uring_setup_buf_ring} registers it. */
export class IoUringBufRing {
  readonly bgid: number;
  readonly entries: number;
  /** The arena whose offsets the entries hold. */
  readonly arena: IoUringArena;
  /** 0, or IOU_PBUF_RING_INC (each buffer consumed a piece at a time). */
  readonly flags: number;
  /** The tail last published to the kernel (a u16 counter). */
  tail = 0;
  /** @internal */ readonly ring: IoUring;
  /** @internal The staging entries: struct io_uring_buf, 16 bytes each. */ readonly u32: Uint32Array;
  /** @internal */ readonly u16: Uint16Array;
  /** @internal The slot each buffer id was last added at, for io_uring_buf_ring_cqe. */ readonly slotOf = new Uint16Array(65536);
  /** @internal IOU_PBUF_RING_INC: the bytes of a buffer consumed so far, by id. */ readonly used = new Map<number, number>();
  constructor(ring: IoUring, bgid: number, entries: number, arena: IoUringArena, staging: ArrayBuffer, flags = 0) {
    this.ring = ring;
    this.bgid = bgid;
    this.entries = entries;
    this.arena = arena;
    this.flags = flags;
    this.u32 = new Uint32Array(staging);
    this.u16 = new Uint16Array(staging);
  }
}

/**
 * Registers a ring of `nentries` provided buffers (a power of two, at most
 * 32768) as buffer group `bgid`, whose buffers lie in `arena`. `flags` is 0
 * or IOU_PBUF_RING_INC (Linux 6.12: the kernel consumes each buffer a
 * piece at a time, and a CQE with IORING_CQE_F_BUF_MORE leaves its buffer
 * in place for the next; {@link io_uring_buf_ring_cqe} tracks where each
 * piece lies). IOU_PBUF_RING_MMAP, a kernel-allocated ring, is a RangeError.
 * Corresponds to io_uring_setup_buf_ring(3), which registers with
 * IORING_REGISTER_PBUF_RING (io_uring_register_buf_ring(3)).
 * @see https://man7.org/linux/man-pages/man3/io_uring_setup_buf_ring.3.html
 * @throws {SocketError} EINVAL (entries not a power of two), EEXIST (bgid taken), ENOMEM
 */
export function io_uring_setup_buf_ring(
  ring: IoUring,
  nentries: number,
  bgid: number,
  flags: number,
  arena: IoUringArena,
): IoUringBufRing {
  if (flags !== 0 && flags !== C.IOU_PBUF_RING_INC)
    throw new RangeError(`io_uring_setup_buf_ring: flags must be 0 or IOU_PBUF_RING_INC, got ${flags}`);
  const staging = checkValue(n.uringBufRing(ring.handle, bgid, nentries, arena.index, flags), 'io_uring_register');
  return new IoUringBufRing(ring, bgid, nentries, arena, staging, flags);
}

/**
 * The mask for buffer indexes of a ring of `entries`. Corresponds to
 * io_uring_buf_ring_mask(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_buf_ring_mask.3.html
 */
export function io_uring_buf_ring_mask(entries: number): number {
  return entries - 1;
}

/**
 * Stages buffer `bid` of `len` bytes at arena offset `addr` in slot
 * `buf_offset` after the tail; nothing reaches the kernel before
 * {@link io_uring_buf_ring_advance}. Corresponds to io_uring_buf_ring_add(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_buf_ring_add.3.html
 */
export function io_uring_buf_ring_add(
  br: IoUringBufRing,
  addr: number,
  len: number,
  bid: number,
  mask: number,
  buf_offset: number,
): void {
  const slot = (br.tail + buf_offset) & mask;
  const w = slot * 4;
  br.u32[w] = addr >>> 0;
  br.u32[w + 1] = 0;
  br.u32[w + 2] = len;
  br.u16[w * 2 + 6] = bid;
  br.slotOf[bid & 0xffff] = slot;
}

/**
 * Publishes `count` staged buffers to the kernel, each checked to lie in the
 * arena (a RangeError publishes none). Corresponds to
 * io_uring_buf_ring_advance(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_buf_ring_advance.3.html
 * @throws {RangeError} for a buffer outside the arena.
 */
export function io_uring_buf_ring_advance(br: IoUringBufRing, count: number): void {
  const r = n.uringBufRingAdvance(br.ring.handle, br.bgid, count);
  if (r < 0) throw new SocketError(-r, 'io_uring_buf_ring_advance');
  br.tail = r;
}

/** One provided buffer's share of a CQE: `len` bytes at arena offset `offset` of buffer `bid`. */
export interface IoUringBufPiece {
  bid: number;
  offset: number;
  len: number;
}

/**
 * Where a CQE's bytes lie: the provided buffers its `res` bytes filled, in
 * order. One piece for a plain receive; several for a bundle
 * (IORING_RECVSEND_BUNDLE), which fills consecutive entries of the ring
 * from the CQE's buffer id on; and with IOU_PBUF_RING_INC a piece starts
 * where the buffer's previous CQE ended while that one carried
 * IORING_CQE_F_BUF_MORE. No buffer (no IORING_CQE_F_BUFFER): no pieces.
 * Call it once per CQE, in the order they come. liburing has no such call:
 * this is the bookkeeping its callers do by hand, after
 * io_uring_setup_buf_ring(3).
 * @see https://man.archlinux.org/man/io_uring_setup_buf_ring.3
 */
export function io_uring_buf_ring_cqe(br: IoUringBufRing, cqe: { res: number; flags: number }): IoUringBufPiece[] {
  const flags = cqe.flags;
  if ((flags & C.IORING_CQE_F_BUFFER!) === 0) return [];
  const more = (flags & C.IORING_CQE_F_BUF_MORE!) !== 0;
  const inc = br.flags !== 0;
  const pieces: IoUringBufPiece[] = [];
  let left = Math.max(cqe.res, 0);
  let slot = br.slotOf[flags >>> C.IORING_CQE_BUFFER_SHIFT!]!;
  do {
    const w = (slot & (br.entries - 1)) * 4;
    const bid = br.u16[w * 2 + 6]!;
    const used = inc ? (br.used.get(bid) ?? 0) : 0;
    const len = Math.min(left, br.u32[w + 2]! - used);
    pieces.push({ bid, offset: br.u32[w]! + used, len });
    left -= len;
    if (inc && more && left === 0) br.used.set(bid, used + len);
    else if (inc) br.used.delete(bid);
    slot++;
  } while (left > 0 && pieces.length < br.entries);
  return pieces;
}

/**
 * Registers `files` (fds; -1 leaves a slot empty) as the ring's fixed files.
 * Corresponds to io_uring_register_files(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_register_files.3.html
 * @throws {SocketError} EBADF, EBUSY, EINVAL, EMFILE
 */
export function io_uring_register_files(ring: IoUring, files: number[]): number {
  return io_uring_register(ring.ring_fd, C.IORING_REGISTER_FILES!, files);
}

/**
 * Registers `nr` empty fixed-file slots. Corresponds to io_uring_register_files_sparse(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_register_files.3.html
 * @throws {SocketError} EBUSY, EINVAL, EMFILE
 */
export function io_uring_register_files_sparse(ring: IoUring, nr: number): number {
  return io_uring_register(ring.ring_fd, C.IORING_REGISTER_FILES2!, { nr, flags: C.IORING_RSRC_REGISTER_SPARSE! });
}

/**
 * Replaces the fixed files from slot `off` on; returns how many were
 * updated. Corresponds to io_uring_register_files_update(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_register_files.3.html
 * @throws {SocketError} EBADF, EINVAL, ENXIO
 */
export function io_uring_register_files_update(ring: IoUring, off: number, files: number[]): number {
  return io_uring_register(ring.ring_fd, C.IORING_REGISTER_FILES_UPDATE!, { offset: off, fds: files });
}

/**
 * Unregisters the fixed files. Corresponds to io_uring_unregister_files(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_register_files.3.html
 * @throws {SocketError} ENXIO
 */
export function io_uring_unregister_files(ring: IoUring): number {
  return io_uring_register(ring.ring_fd, C.IORING_UNREGISTER_FILES!, null);
}

/**
 * Has the kernel signal the eventfd `fd` for each CQE posted. Corresponds to
 * io_uring_register_eventfd(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_register_eventfd.3.html
 * @throws {SocketError} EBADF, EBUSY
 */
export function io_uring_register_eventfd(ring: IoUring, fd: number): number {
  return io_uring_register(ring.ring_fd, C.IORING_REGISTER_EVENTFD!, fd);
}

/**
 * Unregisters the eventfd. Corresponds to io_uring_unregister_eventfd(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_register_eventfd.3.html
 * @throws {SocketError} ENXIO
 */
export function io_uring_unregister_eventfd(ring: IoUring): number {
  return io_uring_register(ring.ring_fd, C.IORING_UNREGISTER_EVENTFD!, null);
}

/**
 * Which opcodes this kernel supports (IORING_REGISTER_PROBE). Corresponds to
 * io_uring_get_probe_ring(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_get_probe.3.html
 * @throws {SocketError} EINVAL
 */
export function io_uring_get_probe_ring(ring: IoUring): Required<IoUringProbe> {
  const probe: IoUringProbe = {};
  io_uring_register(ring.ring_fd, C.IORING_REGISTER_PROBE!, probe);
  return probe as Required<IoUringProbe>;
}

/**
 * Whether `probe` says opcode `op` is supported. Corresponds to
 * io_uring_opcode_supported(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_opcode_supported.3.html
 */
export function io_uring_opcode_supported(probe: Required<IoUringProbe>, op: number): boolean {
  return op <= probe.last_op && ((probe.ops[op] ?? 0) & C.IO_URING_OP_SUPPORTED!) !== 0;
}
