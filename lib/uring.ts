// io_uring's three system calls, one call each: io_uring_setup(2),
// io_uring_enter(2), io_uring_register(2), against the kernel's
// <linux/io_uring.h>. None of them takes an address from JS: setup's
// params are copied field by field, enter passes no signal mask, and
// register builds the arguments it knows (fd arrays, a probe) natively and
// passes NULL for every other opcode. To map rings and submit operations,
// use the liburing-shaped layer (liburing.ts), whose ring owns the memory.
import { SocketError } from './errors.js';
import { checkUringSetup } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

const n = nativeModule<{
  io_uring_setup(entries: number, params: IoUringParams | undefined): OrErrno;
  io_uring_enter(fd: number, to_submit: number, min_complete: number, flags: number): OrErrno;
  io_uring_register(fd: number, opcode: number, arg: unknown, nr_args: number | undefined): OrErrno;
}>();

/** struct io_sqring_offsets: where each field of the SQ ring lies in its mapping (bytes). */
export interface IoSqringOffsets {
  head: number;
  tail: number;
  ring_mask: number;
  ring_entries: number;
  flags: number;
  dropped: number;
  array: number;
}

/** struct io_cqring_offsets: where each field of the CQ ring lies in its mapping (bytes). */
export interface IoCqringOffsets {
  head: number;
  tail: number;
  ring_mask: number;
  ring_entries: number;
  overflow: number;
  cqes: number;
  flags: number;
}

/**
 * struct io_uring_params, value-result as in C: the caller sets `flags`
 * (IORING_SETUP_*), and where those flags say so `sq_thread_cpu`,
 * `sq_thread_idle`, `cq_entries` and `wq_fd`; the kernel fills in the sizes,
 * `features` (IORING_FEAT_*) and the ring offsets.
 */
export interface IoUringParams {
  flags?: number;
  sq_thread_cpu?: number;
  sq_thread_idle?: number;
  cq_entries?: number;
  wq_fd?: number;
  sq_entries?: number;
  features?: number;
  sq_off?: IoSqringOffsets;
  cq_off?: IoCqringOffsets;
}

/** struct io_uring_probe as IORING_REGISTER_PROBE fills it: `ops[op]` is that opcode's IO_URING_OP_* flags. */
export interface IoUringProbe {
  last_op?: number;
  ops_len?: number;
  ops?: number[];
}

/**
 * Creates an io_uring instance with at least `entries` SQEs and returns its
 * fd; `params` is filled in as C's struct is. Corresponds to
 * io_uring_setup(2). The rings are not mapped: for that, use
 * {@link io_uring_queue_init} (liburing.ts).
 * @see https://man7.org/linux/man-pages/man2/io_uring_setup.2.html
 * @throws {SocketError} EINVAL, EMFILE, ENFILE, ENOMEM, EFAULT; EPERM or ENOSYS where
 *   io_uring is not allowed, with a message that says so.
 */
export function io_uring_setup(entries: number, params?: IoUringParams): number {
  return checkUringSetup(n.io_uring_setup(entries, params), 'io_uring_setup');
}

/**
 * Submits `to_submit` SQEs from the ring's SQ and, with
 * IORING_ENTER_GETEVENTS, waits for `min_complete` completions; returns the
 * number of SQEs consumed. No signal mask is passed (the kernel then keeps
 * the thread's), and IORING_ENTER_EXT_ARG, which needs one, fails with
 * EINVAL. EINTR is retried. Corresponds to io_uring_enter(2).
 * @see https://man7.org/linux/man-pages/man2/io_uring_enter.2.html
 * @throws {SocketError} EAGAIN, EBADF, EBUSY, EFAULT, EINVAL, EOPNOTSUPP, ETIME
 */
export function io_uring_enter(fd: number, to_submit: number, min_complete: number, flags = 0): number {
  const r = n.io_uring_enter(fd, to_submit, min_complete, flags);
  if (r < 0) throw new SocketError(-r, 'io_uring_enter');
  return r;
}

/** The argument {@link io_uring_register} takes for an opcode. */
export type IoUringRegisterArg =
  | number[] // IORING_REGISTER_FILES: fds, -1 a sparse slot
  | { nr: number; flags?: number } // IORING_REGISTER_FILES2: IORING_RSRC_REGISTER_SPARSE
  | { offset: number; fds: number[] } // IORING_REGISTER_FILES_UPDATE
  | number // IORING_REGISTER_EVENTFD, IORING_REGISTER_EVENTFD_ASYNC: the eventfd
  | IoUringProbe // IORING_REGISTER_PROBE: filled in
  | null
  | undefined;

/**
 * Registers resources with a ring, or asks it something; returns what the
 * kernel returns (0, or a count). Corresponds to io_uring_register(2).
 * `arg` by opcode: IORING_REGISTER_FILES an array of fds (-1 leaves a slot
 * sparse); IORING_REGISTER_FILES2 `{ nr, flags: IORING_RSRC_REGISTER_SPARSE }`;
 * IORING_REGISTER_FILES_UPDATE `{ offset, fds }` (IORING_REGISTER_FILES_SKIP
 * keeps a slot); IORING_REGISTER_EVENTFD and _ASYNC an eventfd;
 * IORING_REGISTER_PROBE an object to fill. `nr_args` defaults to the count
 * `arg` holds (a larger one is a RangeError). Every other opcode takes
 * `arg` null and gets NULL: those whose argument is an address (PBUF_RING,
 * BUFFERS) go through the ring object, which owns that memory
 * ({@link io_uring_setup_buf_ring}, {@link io_uring_register_buffers}).
 * @see https://man7.org/linux/man-pages/man2/io_uring_register.2.html
 * @throws {SocketError} EBADF, EBUSY, EEXIST, EFAULT, EINVAL, EMFILE, ENOMEM, ENXIO, EOPNOTSUPP
 */
export function io_uring_register(fd: number, opcode: number, arg?: IoUringRegisterArg, nr_args?: number): number {
  const r = n.io_uring_register(fd, opcode, arg, nr_args);
  if (r < 0) throw new SocketError(-r, 'io_uring_register');
  return r;
}
