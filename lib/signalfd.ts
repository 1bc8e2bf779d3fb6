// Signals as fds, C-shaped: signalfd, sigprocmask (and pthread_sigmask, the
// same system call), the struct signalfd_siginfo decoder, gettid and tgkill.
//
// A signalfd reads a signal only while it is blocked, and a signal sent to
// a process goes to any one thread that does not block it. A Node process
// has threads of its own (V8's platform workers, libuv's thread pool once
// anything uses it), and a script can block signals in its own thread only,
// so what reaches a signalfd in Node is narrower than in a C program:
//   - a signal sent to the reading thread itself (tgkill(pid, tid, sig), or
//     a signal the thread causes, such as SIGPIPE): always;
//   - SIGUSR1 sent to the process (kill): when the main thread blocked it
//     before libuv's thread pool started, because Node's platform threads
//     block SIGUSR1 (it is the inspector's signal) and later threads inherit
//     the main thread's mask (in practice: a CommonJS entry script, since
//     an ES module entry or a --import loader has started the pool before
//     the first line runs);
//   - any other signal sent to the process: not reliably. A platform thread
//     takes it and runs its action (the default kills the process; a
//     `process.on(...)` handler gets it instead of the fd).
// docs/fds.md has the account and the measurements behind it.
import { check, checkValue } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

/**
 * C's `struct signalfd_siginfo`, as one read of a signalfd gives it (128
 * bytes each). The 64-bit fields are bigints.
 */
export interface SignalfdSiginfo {
  ssi_signo: number;
  ssi_errno: number;
  /** How it was sent: SI_USER (kill), SI_TKILL (tgkill), SI_QUEUE, SI_KERNEL, ... */
  ssi_code: number;
  /** The sender's pid (SI_USER, SI_TKILL, SI_QUEUE) or the child's (SIGCHLD). */
  ssi_pid: number;
  ssi_uid: number;
  ssi_fd: number;
  ssi_tid: number;
  ssi_band: number;
  ssi_overrun: number;
  ssi_trapno: number;
  ssi_status: number;
  ssi_int: number;
  ssi_ptr: bigint;
  ssi_utime: bigint;
  ssi_stime: bigint;
  ssi_addr: bigint;
  ssi_addr_lsb: number;
  ssi_syscall: number;
  ssi_call_addr: bigint;
  ssi_arch: number;
}

const n = nativeModule<{
  signalfd(fd: number, mask: readonly number[], flags: number): OrErrno;
  sigprocmask(how: number, set: readonly number[] | null): number[] | OrErrno;
  signalfd_siginfo(buf: ArrayBufferView, offset?: number): SignalfdSiginfo;
  gettid(): number;
  tgkill(tgid: number, tid: number, sig: number): OrErrno;
}>();

/**
 * Creates an fd that reads the signals of `mask` (an array of signal
 * numbers, C's sigset_t) when `fd` is -1, or replaces the mask of the
 * signalfd `fd`. `flags` is an OR of SFD_NONBLOCK and SFD_CLOEXEC. Each
 * `read(fd, buf)` takes one or more pending signals, 128 bytes each (decode
 * them with {@link signalfd_siginfo}); with SFD_NONBLOCK an empty queue
 * reads -1. The signals must be blocked (see {@link sigprocmask}), and in
 * Node that reaches only the calling thread: see this module's header and
 * docs/fds.md for which signals arrive. Corresponds to signalfd(2).
 * @see https://man7.org/linux/man-pages/man2/signalfd.2.html
 * @throws {SocketError} EBADF (fd is neither -1 nor open), EINVAL (fd is not
 *   a signalfd, a bad flag), EMFILE, ENFILE, ENODEV, ENOMEM
 * @throws {RangeError} when a number of `mask` is not one sigaddset(3)
 *   takes (1 to 64, except glibc's own 32 and 33).
 */
export function signalfd(fd: number, mask: readonly number[], flags = 0): number {
  return check(n.signalfd(fd, mask, flags), 'signalfd');
}

/**
 * Changes the signal mask of the calling thread and returns the old one as
 * an array of signal numbers (also written into `oldset` when one is given,
 * C's out-parameter). `how` is SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK; a
 * null `set` changes nothing and only reads the mask. In Node this is the
 * JS thread's mask only: Node's other threads keep theirs. Corresponds to
 * sigprocmask(2).
 * @see https://man7.org/linux/man-pages/man2/sigprocmask.2.html
 * @throws {SocketError} EINVAL (an unknown `how`)
 * @throws {RangeError} when a number of `set` is not a signal number.
 */
export function sigprocmask(how: number, set: readonly number[] | null, oldset?: number[] | null): number[] {
  const old = checkValue(n.sigprocmask(how, set), 'rt_sigprocmask');
  if (!oldset) return old;
  oldset.length = 0;
  oldset.push(...old);
  return oldset;
}

/**
 * The POSIX name of {@link sigprocmask} for a process with threads; on
 * Linux both are the one rt_sigprocmask system call on the calling thread.
 * (C's pthread_sigmask returns the error number instead of setting errno;
 * here both throw.) Corresponds to pthread_sigmask(3).
 * @see https://man7.org/linux/man-pages/man3/pthread_sigmask.3.html
 * @throws {SocketError} EINVAL (an unknown `how`)
 * @throws {RangeError} when a number of `set` is not a signal number.
 */
export function pthread_sigmask(how: number, set: readonly number[] | null, oldset?: number[] | null): number[] {
  return sigprocmask(how, set, oldset);
}

/**
 * Decodes the struct signalfd_siginfo at `buf[offset]` (128 bytes, as a
 * signalfd read gives them; a read of 256 bytes holds two, at 0 and 128).
 * The layout is the C header's, read natively. Not a system call: what C
 * gets by reading into the struct itself. See signalfd(2).
 * @see https://man7.org/linux/man-pages/man2/signalfd.2.html
 * @throws {RangeError} when `buf` has fewer than 128 bytes from `offset`.
 */
export function signalfd_siginfo(buf: ArrayBufferView, offset = 0): SignalfdSiginfo {
  return n.signalfd_siginfo(buf, offset);
}

/**
 * The calling thread's id: on the main thread, the pid; in a worker_thread,
 * its own. Corresponds to gettid(2).
 * @see https://man7.org/linux/man-pages/man2/gettid.2.html
 */
export function gettid(): number {
  return n.gettid();
}

/**
 * Sends `sig` to the thread `tid` of the process `tgid`. Unlike kill (Node's
 * `process.kill`), only that thread can take it, so a thread that blocks
 * `sig` finds it on its signalfd whatever Node's other threads do. `sig` 0
 * only checks that the thread exists. Corresponds to tgkill(2).
 * @see https://man7.org/linux/man-pages/man2/tgkill.2.html
 * @throws {SocketError} EINVAL (a bad signal number), EPERM, ESRCH (no such
 *   thread in that process)
 */
export function tgkill(tgid: number, tid: number, sig: number): void {
  check(n.tgkill(tgid, tid, sig), 'tgkill');
}
