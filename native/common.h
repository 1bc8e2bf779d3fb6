// Shared by every native concern: argument checks, the EINTR policy and the
// result-or-errno convention.
//
// The addon is written against Node-API's C interface only (node_api.h), not
// node-addon-api's C++ wrappers: the hot path needs the C calls anyway (each
// wrapper object costs a handle and a check per argument), and one API in
// every file reads more simply than two.
//
// The convention: a wrapper makes one system call and returns its result when
// it is >= 0, or -errno when it failed. It never throws for a system error;
// lib/check.ts turns a negative result into a SocketError (and EAGAIN into a
// plain -1 where would-block is a return value). Keeping the throw on the JS
// side lets V8 see a monomorphic number return in the hot path.
//
// Argument checks do throw (TypeError or RangeError naming the argument), and
// every check runs before any memory of the caller's is touched.
#ifndef POSIX_SOCKETS_COMMON_H_
#define POSIX_SOCKETS_COMMON_H_

#include <node_api.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace ps {

// Throws a TypeError whose `code` is ERR_INVALID_ARG_TYPE (as Node's own).
void ThrowTypeError(napi_env env, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));
// Throws a TypeError whose `code` is ERR_INVALID_ARG_VALUE (a malformed value
// of the right type: an IP string that does not parse, for instance).
void ThrowValueError(napi_env env, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));
// Throws a RangeError whose `code` is ERR_OUT_OF_RANGE.
void ThrowRangeError(napi_env env, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

// True when `v` is undefined or null (or nullptr: an argument not passed).
bool IsNullish(napi_env env, napi_value v);
// True when `v` is undefined (or nullptr), not null: where C's NULL (null)
// and "not given" (undefined) differ.
bool IsUndefined(napi_env env, napi_value v);

// The value handed back for a result or an errno: `r` when r >= 0, else
// -errno. Call it right after the system call, before anything can touch
// errno.
inline napi_value ResultOrErrno(napi_env env, long r) {
  napi_value out;
  napi_create_int64(env, r >= 0 ? r : -static_cast<int64_t>(errno), &out);
  return out;
}
// For the calls whose success can be a negative number, which
// ResultOrErrno would take for -errno: fcntl (F_GETOWN names a process
// group as its negated id), ioctl (the int a request writes: FIONREAD on a
// regular file whose offset is past its end is negative) and getsockopt
// (SO_PEEK_OFF reads -1). They report failure through an Int32Array the
// caller passes instead: ArgErrnoSlot takes it (a TypeError naming 'err'
// otherwise), and ValueOrErrnoSlot answers `value`, or undefined with errno
// stored in slot[0] when the call failed.
bool ArgErrnoSlot(napi_env env, napi_value v, int32_t** slot);
napi_value ValueOrErrnoSlot(napi_env env, bool failed, int64_t value,
                            int32_t* slot);
inline napi_value Int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

// Retries a call that failed with EINTR, as CPython does since PEP 475: the
// caller never sees EINTR. Not for close(2), which must never be retried
// (on Linux the fd is released even when close reports EINTR), nor for
// connect(2), whose interrupted attempt goes on in the kernel.
template <typename F>
inline auto RetryOnEintr(F call) -> decltype(call()) {
  decltype(call()) r;
  do {
    r = call();
  } while (r == -1 && errno == EINTR);
  return r;
}

// The largest integer a JS number holds exactly (Number.MAX_SAFE_INTEGER):
// the bound for 64-bit C values (time_t, off_t, size_t) taken as numbers.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// Reads `v` as an integer in [min, max]; throws a TypeError (not an
// integer) or RangeError (out of range) naming `name` and returns false
// otherwise. Called for every argument of every call, so the common case is
// inline: one napi call, and no libm trunc().
bool ArgIntegerSlow(napi_env env, napi_value v, const char* name, int64_t min,
                    int64_t max, int64_t* out);
inline bool ArgInteger(napi_env env, napi_value v, const char* name,
                       int64_t min, int64_t max, int64_t* out) {
  double d;
  if (v != nullptr && napi_get_value_double(env, v, &d) == napi_ok &&
      d >= static_cast<double>(min) && d <= static_cast<double>(max)) {
    int64_t i = static_cast<int64_t>(d);  // in range, so well defined
    if (static_cast<double>(i) == d) {
      *out = i;
      return true;
    }
  }
  return ArgIntegerSlow(env, v, name, min, max, out);
}
// As ArgInteger, but `undefined`, `null` or a missing argument (nullptr,
// see Args) takes `dflt` without a napi call.
inline bool ArgOptionalInteger(napi_env env, napi_value v, const char* name,
                               int64_t min, int64_t max, int64_t dflt,
                               int64_t* out) {
  double d;
  if (v == nullptr) {
    *out = dflt;
    return true;
  }
  if (napi_get_value_double(env, v, &d) == napi_ok &&
      d >= static_cast<double>(min) && d <= static_cast<double>(max)) {
    int64_t i = static_cast<int64_t>(d);
    if (static_cast<double>(i) == d) {
      *out = i;
      return true;
    }
  }
  if (IsNullish(env, v)) {
    *out = dflt;
    return true;
  }
  return ArgIntegerSlow(env, v, name, min, max, out);
}

// A file descriptor: any int. A negative or closed fd is the kernel's to
// judge (EBADF), as in C; only a non-integer or a number outside int is an
// error here.
inline bool ArgFd(napi_env env, napi_value v, int* fd,
                  const char* name = "fd") {
  int64_t x;
  if (!ArgInteger(env, v, name, INT32_MIN, INT32_MAX, &x)) return false;
  *fd = static_cast<int>(x);
  return true;
}
inline bool ArgInt(napi_env env, napi_value v, const char* name, int* out) {
  int64_t x;
  if (!ArgInteger(env, v, name, INT32_MIN, INT32_MAX, &x)) return false;
  *out = static_cast<int>(x);
  return true;
}
inline bool ArgOptionalInt(napi_env env, napi_value v, const char* name,
                           int dflt, int* out) {
  int64_t x;
  if (!ArgOptionalInteger(env, v, name, INT32_MIN, INT32_MAX, dflt, &x))
    return false;
  *out = static_cast<int>(x);
  return true;
}
// Flags words (MSG_*, EPOLL*, SOCK_*): any integer that fits in 32 bits,
// signed or unsigned, since EPOLLET is 1u << 31.
bool ArgFlags(napi_env env, napi_value v, const char* name, uint32_t dflt,
              uint32_t* out);

// Any ArrayBufferView (Buffer, every TypedArray, DataView): its first byte and
// its length in bytes. A view of a detached ArrayBuffer is a TypeError.
//
// Take a buffer's pointer after every other argument that can run the
// caller's code: reading a field of an object (an address, an options bag)
// may call a getter, and a getter may detach or shrink the buffer. Numbers
// are safe: napi_get_value_double never calls valueOf.
bool ArgBytes(napi_env env, napi_value v, const char* name, uint8_t** data,
              size_t* length);

// ArgBytes narrowed to C's (buf + offset, count): `count` bytes from byte
// `offset` (both optional: offset 0, count the rest of the view). Both are
// checked against the view before it is used: offset <= byteLength and
// offset + count <= byteLength. `count_name` is C's name for the length
// argument ('count' for read/write, 'len' for recv/send).
bool ArgBufCount(napi_env env, napi_value view, napi_value count,
                 napi_value offset, const char* name, const char* count_name,
                 uint8_t** data, size_t* len);

// A string argument copied into `buf` (NUL-terminated), as C will read
// it. Too long is a RangeError; a NUL inside it is a TypeError.
bool ArgString(napi_env env, napi_value v, const char* name, char* buf,
               size_t bufsize, size_t* len);

// [a, b] for a new pair of fds (socketpair, pipe2). If the array cannot be
// built (a throwing setter planted on Array.prototype), both fds are closed,
// since the caller would never learn their numbers, and nullptr is returned
// with the exception pending.
napi_value FdPair(napi_env env, int a, int b);

// Registers a plain function on `exports`. Plain functions (not ObjectWrap
// methods) are the cheapest call Node-API offers. `data` is handed back to
// each call (see Args): per-environment state of the concern.
void SetFunction(napi_env env, napi_value exports, const char* name,
                 napi_callback cb, void* data = nullptr);

// Argument access: fills `argv` with up to N arguments (nullptr past argc).
// Used by the hot-path wrappers. `data`, when given, receives the pointer the
// function was created with (napi_create_function's data: per-environment state
// of the concern).
template <size_t N>
inline bool Args(napi_env env, napi_callback_info info, napi_value (&argv)[N],
                 size_t* argc_out = nullptr, void** data = nullptr) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, data) != napi_ok)
    return false;
  // Arguments not passed read as nullptr, which every Arg* helper takes as
  // "use the default" without another napi call.
  for (size_t i = argc; i < N; i++) argv[i] = nullptr;
  if (argc_out) *argc_out = argc;
  return true;
}

// The flags every send-family call (send, sendto, sendmsg, sendmmsg) adds:
// MSG_NOSIGNAL, so a send to a peer that has gone fails with EPIPE and never
// raises SIGPIPE, whose default action ends the process. Node ignores
// SIGPIPE, but only until a process.on('SIGPIPE') listener is removed,
// which restores the default; this keeps EPIPE an error in every case.
// write(2) and writev(2) take no flags and keep C's behaviour.
constexpr int kSendFlags = MSG_NOSIGNAL;

// Each native concern registers its functions and constants here.
void InitErrors(napi_env env, napi_value exports);
void InitConstants(napi_env env, napi_value exports);
void InitAddresses(napi_env env, napi_value exports);
void InitSockets(napi_env env, napi_value exports);
void InitFds(napi_env env, napi_value exports);
void InitIo(napi_env env, napi_value exports);
void InitMessages(napi_env env, napi_value exports);
void InitBatchMessages(napi_env env, napi_value exports);
void InitControlMessages(napi_env env, napi_value exports);
void InitOptions(napi_env env, napi_value exports);
void InitEpoll(napi_env env, napi_value exports);
void InitSelect(napi_env env, napi_value exports);
void InitLoop(napi_env env, napi_value exports);
void InitNetdb(napi_env env, napi_value exports);
void InitTimerfd(napi_env env, napi_value exports);
void InitSignalfd(napi_env env, napi_value exports);
void InitZerocopy(napi_env env, napi_value exports);
void InitUring(napi_env env, napi_value exports);
void InitUringRing(napi_env env, napi_value exports);
void InitUringLoop(napi_env env, napi_value exports);

}  // namespace ps

#endif  // POSIX_SOCKETS_COMMON_H_
