// sendmsg and recvmsg through the ring: io_uring_prep_sendmsg,
// io_uring_prep_recvmsg and its multishot form, with the msghdr and
// everything it points to in arenas. The msghdr is C's struct msghdr,
// byte for byte (IoUringMsghdr writes it), except that each pointer field
// (msg_name, msg_iov, every iov_base, msg_control) holds an arena
// reference. io_uring_submit checks every one and hands the kernel a
// translated copy the ring owns until the operation's final CQE; a
// recvmsg's msg_namelen, msg_controllen and msg_flags are copied back into
// this msghdr as its CQE is reaped (native/uring_msghdr.cc).
import type { IoUringArena, IoUringSqe } from './liburing.js';
import { nativeModule } from './native.js';
import { io_uring_prep_rw } from './uring-prep.js';

const native = nativeModule<{ constants: Record<string, number>; sizeof: Record<string, number> }>();
const C = native.constants;
const TWO32 = 2 ** 32;
// The sizes as the addon's compiler measured them; the offsets below are
// 64-bit Linux's, which native/uring_msghdr.cc asserts at build time, as it
// does the 16 bytes of struct io_uring_recvmsg_out (four __u32).
const MSGHDR_SIZE = native.sizeof.msghdr!;
const IOVEC_SIZE = native.sizeof.iovec!;
const RECVMSG_OUT_SIZE = 16;

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO32;
}
function setU64(view: DataView, at: number, v: number): void {
  view.setUint32(at, v >>> 0, true);
  view.setUint32(at + 4, Math.floor(v / TWO32) >>> 0, true);
}

/**
 * A struct msghdr at `offset` of an arena (56 bytes), read and written in
 * place: msg_name, msg_iov and msg_control are arena references (or 0 for
 * NULL), msg_iovlen and msg_controllen counts, as in C. `ref` is what
 * io_uring_prep_sendmsg and io_uring_prep_recvmsg take as `msg`. After a
 * recvmsg's CQE, msg_namelen, msg_controllen and msg_flags hold what the
 * kernel returned (the sender's address length, the control bytes
 * written, MSG_TRUNC and the like).
 */
export class IoUringMsghdr {
  readonly arena: IoUringArena;
  readonly offset: number;
  readonly #view: DataView;
  /** @throws {RangeError} when the 56 bytes do not fit in the arena. */
  constructor(arena: IoUringArena, offset: number) {
    if (!Number.isInteger(offset) || offset < 0 || offset + MSGHDR_SIZE > arena.size)
      throw new RangeError(`IoUringMsghdr: offset ${offset} leaves no room for 56 bytes in arena ${arena.index}`);
    this.arena = arena;
    this.offset = offset;
    this.#view = new DataView(arena.bytes.buffer, arena.bytes.byteOffset + offset, MSGHDR_SIZE);
  }
  /** The reference to this msghdr, for the prep calls. */
  get ref(): number {
    return this.arena.ref(this.offset);
  }
  get msg_name(): number {
    return u64(this.#view, 0);
  }
  set msg_name(v: number) {
    setU64(this.#view, 0, v);
  }
  get msg_namelen(): number {
    return this.#view.getUint32(8, true);
  }
  set msg_namelen(v: number) {
    this.#view.setUint32(8, v, true);
  }
  get msg_iov(): number {
    return u64(this.#view, 16);
  }
  set msg_iov(v: number) {
    setU64(this.#view, 16, v);
  }
  get msg_iovlen(): number {
    return u64(this.#view, 24);
  }
  set msg_iovlen(v: number) {
    setU64(this.#view, 24, v);
  }
  get msg_control(): number {
    return u64(this.#view, 32);
  }
  set msg_control(v: number) {
    setU64(this.#view, 32, v);
  }
  get msg_controllen(): number {
    return u64(this.#view, 40);
  }
  set msg_controllen(v: number) {
    setU64(this.#view, 40, v);
  }
  get msg_flags(): number {
    return this.#view.getInt32(48, true);
  }
  set msg_flags(v: number) {
    this.#view.setInt32(48, v, true);
  }
}

/**
 * Writes struct iovec `index` of the array at `offset` of `arena`:
 * `iov_base` an arena reference, `iov_len` its length, as readv(2) and
 * sendmsg(2) take them.
 * @see https://man7.org/linux/man-pages/man2/readv.2.html
 * @throws {RangeError} when the iovec does not fit in the arena.
 */
export function io_uring_iovec_set(arena: IoUringArena, offset: number, index: number, iov_base: number, iov_len: number): void {
  const at = offset + index * IOVEC_SIZE;
  if (!Number.isInteger(at) || at < 0 || at + IOVEC_SIZE > arena.size)
    throw new RangeError(`io_uring_iovec_set: iovec ${index} at ${offset} passes the end of arena ${arena.index}`);
  const view = arenaView(arena);
  setU64(view, at, iov_base);
  setU64(view, at + 8, iov_len);
}

// One DataView per arena, made on first use: a server writes iovecs and
// reads recvmsg headers per message, and a view made per call cost ~200 ns
// of the call. Over a closed
// ring's detached bytes, the view throws a TypeError, as making one did.
const arenaViews = new WeakMap<IoUringArena, DataView>();
function arenaView(arena: IoUringArena): DataView {
  let view = arenaViews.get(arena);
  if (view === undefined) {
    view = new DataView(arena.bytes.buffer, arena.bytes.byteOffset, arena.size);
    arenaViews.set(arena, view);
  }
  return view;
}

/**
 * sendmsg(2) of the msghdr at `msg` (an arena reference; its iovecs, name
 * and control data in arenas too). Each field is checked at submit, and the
 * kernel gets the ring's own translated copy. No two sendmsg/recvmsg in
 * flight may share a user_data (the CQE finds the copy by it): a RangeError
 * at submit. Corresponds to io_uring_prep_sendmsg(3).
 * @see https://man.archlinux.org/man/io_uring_prep_sendmsg.3
 */
export function io_uring_prep_sendmsg(sqe: IoUringSqe, fd: number, msg: number, flags: number): void {
  io_uring_prep_rw(C.IORING_OP_SENDMSG!, sqe, fd, msg, 1, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * recvmsg(2) into the msghdr at `msg` (an arena reference); when it
 * completes, its msg_namelen, msg_controllen and msg_flags hold the
 * kernel's answer. With IOSQE_BUFFER_SELECT, msg_iovlen is 0 or 1, iov_base
 * 0, and the kernel takes a provided buffer. Corresponds to
 * io_uring_prep_recvmsg(3).
 * @see https://man.archlinux.org/man/io_uring_prep_recvmsg.3
 */
export function io_uring_prep_recvmsg(sqe: IoUringSqe, fd: number, msg: number, flags: number): void {
  io_uring_prep_rw(C.IORING_OP_RECVMSG!, sqe, fd, msg, 1, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * As {@link io_uring_prep_recvmsg}, armed for every datagram to come, each
 * into a provided buffer (IOSQE_BUFFER_SELECT is required) laid out as
 * struct io_uring_recvmsg_out, then msg_namelen bytes of name, msg_controllen
 * of control data, then the payload: read it with
 * {@link io_uring_recvmsg_validate}. Corresponds to
 * io_uring_prep_recvmsg_multishot(3).
 * @see https://man.archlinux.org/man/io_uring_prep_recvmsg_multishot.3
 */
export function io_uring_prep_recvmsg_multishot(sqe: IoUringSqe, fd: number, msg: number, flags: number): void {
  io_uring_prep_recvmsg(sqe, fd, msg, flags);
  sqe.u16[(sqe.base + 2) >>> 1] |= C.IORING_RECV_MULTISHOT!;
}

/** struct io_uring_recvmsg_out at the head of a multishot recvmsg's buffer, with where each part lies (arena offsets). */
export interface IoUringRecvmsgOut {
  namelen: number;
  controllen: number;
  payloadlen: number;
  flags: number;
  /** Arena offsets of the name (msgh.msg_namelen bytes of room), the control data and the payload. */
  name: number;
  control: number;
  payload: number;
  /** The payload bytes in this buffer (payloadlen counts what the datagram had, MSG_TRUNC past this). */
  payload_length: number;
}

/**
 * Reads the io_uring_recvmsg_out header of the `buf_len` bytes a multishot
 * recvmsg's CQE reports at arena offset `buf`, sized by the msghdr the SQE
 * named; null when they cannot hold it. Corresponds to
 * io_uring_recvmsg_validate(3), with io_uring_recvmsg_name, _cmsg_firsthdr,
 * _payload and _payload_length folded into the result.
 * @see https://man.archlinux.org/man/io_uring_recvmsg_validate.3
 */
export function io_uring_recvmsg_validate(arena: IoUringArena, buf: number, buf_len: number, msgh: IoUringMsghdr): IoUringRecvmsgOut | null {
  const header = RECVMSG_OUT_SIZE + msgh.msg_namelen + msgh.msg_controllen;
  if (buf_len < header || buf < 0 || buf + buf_len > arena.size) return null;
  const v = arenaView(arena);
  return {
    namelen: v.getUint32(buf, true),
    controllen: v.getUint32(buf + 4, true),
    payloadlen: v.getUint32(buf + 8, true),
    flags: v.getUint32(buf + 12, true),
    name: buf + RECVMSG_OUT_SIZE,
    control: buf + RECVMSG_OUT_SIZE + msgh.msg_namelen,
    payload: buf + header,
    payload_length: buf_len - header,
  };
}
