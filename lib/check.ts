// Turns a native wrapper's answer into the public contract: native calls
// return their result, or -errno when the call failed (see native/common.h);
// these helpers throw the SocketError on the rare path and keep the common
// path to one comparison. Internal: lib/index.ts does not export this module.
import { SocketError } from './errors.js';
import { nativeModule } from './native.js';

const { EAGAIN, EINPROGRESS } = nativeModule<{ constants: Record<string, number> }>().constants;
const NEG_EAGAIN = -EAGAIN;
const NEG_EINPROGRESS = -EINPROGRESS;

/**
 * Returns `r` when the call succeeded; throws the SocketError for `-r`
 * otherwise. For calls where every failure is an exception.
 */
export function check(r: number, syscall: string): number {
  if (r < 0) throw new SocketError(-r, syscall);
  return r;
}

/**
 * Like `check`, but EAGAIN/EWOULDBLOCK is the return value -1 rather than an
 * exception, so a non-blocking loop never pays for a throw.
 */
export function checkWouldBlock(r: number, syscall: string): number {
  if (r >= 0) return r;
  if (r === NEG_EAGAIN) return -1;
  throw new SocketError(-r, syscall);
}

/**
 * Like `check`, for connect: EINPROGRESS (a non-blocking connect under way)
 * is the return value -1.
 */
export function checkInProgress(r: number, syscall: string): number {
  if (r >= 0) return r;
  if (r === NEG_EINPROGRESS) return -1;
  throw new SocketError(-r, syscall);
}

/**
 * Throws the SocketError when a native call answered -errno instead of the
 * value it builds on success (an array, an object).
 */
export function checkValue<T>(r: T | number, syscall: string): T {
  if (typeof r === 'number') throw new SocketError(-r, syscall);
  return r;
}

/**
 * Like `check`, for io_uring_setup: EPERM and ENOSYS get a message saying
 * that io_uring is not allowed here (the kernel.io_uring_disabled sysctl,
 * or a caller outside kernel.io_uring_group; a seccomp filter, as Docker's
 * default profile has had since 2023).
 */
export function checkUringSetup<T>(r: T | number, syscall: string): T {
  if (typeof r !== 'number' || r >= 0) return r as T;
  const e = new SocketError(-r, syscall);
  if (e.code === 'EPERM' || e.code === 'ENOSYS') {
    e.message +=
      ' (io_uring is not allowed here: the kernel.io_uring_disabled sysctl or a seccomp filter, such as a' +
      " container's default profile, refuses it)";
  }
  throw e;
}

/**
 * Where the wrappers whose success may be a negative number (getsockopt,
 * fcntl, ioctl: see ValueOrErrnoSlot in native/common.h) leave errno when
 * they answer `undefined`. One per module instance, so one per worker.
 */
export const errnoSlot = new Int32Array(1);

/** Throws the SocketError for errnoSlot[0] when a slot wrapper answered undefined. */
export function checkSlot<T>(v: T | undefined, syscall: string): T {
  if (v === undefined) throw new SocketError(errnoSlot[0]!, syscall);
  return v;
}
