// Zero-copy transfers between fds: sendfile(2), splice(2), tee(2).
//
// The bytes move inside the kernel, never through a buffer of the
// caller's. C's `off_t *offset` (and splice's `loff_t *`) is a value-result
// argument: NULL means "use and advance the fd's own file offset"; a pointer
// means "read from here and leave the fd's offset alone", and the kernel
// writes back where it stopped. Here it is null, or an object { value }
// whose `value` is read before the call and set to the kernel's new offset
// after it, as the pointed-to off_t would be.
#include <fcntl.h>
#include <sys/sendfile.h>

#include "object.h"

namespace ps {

namespace {

// An optional offset object: `*use` says whether one was given.
bool ArgOffset(napi_env env, napi_value v, const char* name, bool* use,
               loff_t* off) {
  *use = !IsNullish(env, v);
  if (!*use) return true;
  if (!IsObject(env, v)) {
    ThrowTypeError(env,
                   "Expected argument '%s' to be null or an offset object "
                   "{ value }",
                   name);
    return false;
  }
  int64_t x;
  if (!IntField(env, v, name, "value", -kMaxSafeInteger, kMaxSafeInteger, &x))
    return false;
  *off = static_cast<loff_t>(x);
  return true;
}

bool ArgCount(napi_env env, napi_value v, const char* name, size_t* out) {
  int64_t x;
  if (!ArgInteger(env, v, name, 0, kMaxSafeInteger, &x)) return false;
  *out = static_cast<size_t>(x);
  return true;
}

// Writes the kernel's new offset back into the caller's object, after a
// call that succeeded (a failed call moves no offset).
napi_value Moved(napi_env env, ssize_t r, napi_value obj, bool use,
                 loff_t off) {
  napi_value result = ResultOrErrno(env, r);
  if (r >= 0 && use) SetNumber(env, obj, "value", static_cast<double>(off));
  return result;
}

// sendfile(out_fd, in_fd, offset, count) -> bytes or -errno.
napi_value Sendfile(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int out_fd, in_fd;
  bool use;
  loff_t off = 0;
  size_t count;
  if (!Args(env, info, argv) || !ArgFd(env, argv[0], &out_fd, "out_fd") ||
      !ArgFd(env, argv[1], &in_fd, "in_fd") ||
      !ArgOffset(env, argv[2], "offset", &use, &off) ||
      !ArgCount(env, argv[3], "count", &count))
    return nullptr;
  off_t o = static_cast<off_t>(off);
  ssize_t r = RetryOnEintr(
      [&] { return sendfile(out_fd, in_fd, use ? &o : nullptr, count); });
  return Moved(env, r, argv[2], use, o);
}

// splice(fd_in, off_in, fd_out, off_out, len, flags) -> bytes or -errno.
// One of the two fds must be a pipe (the kernel's EINVAL otherwise).
napi_value Splice(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int fd_in, fd_out;
  bool use_in, use_out;
  loff_t off_in = 0, off_out = 0;
  size_t len;
  uint32_t flags;
  if (!Args(env, info, argv) || !ArgFd(env, argv[0], &fd_in, "fd_in") ||
      !ArgOffset(env, argv[1], "off_in", &use_in, &off_in) ||
      !ArgFd(env, argv[2], &fd_out, "fd_out") ||
      !ArgOffset(env, argv[3], "off_out", &use_out, &off_out) ||
      !ArgCount(env, argv[4], "len", &len) ||
      !ArgFlags(env, argv[5], "flags", 0, &flags))
    return nullptr;
  ssize_t r = RetryOnEintr([&] {
    return splice(fd_in, use_in ? &off_in : nullptr, fd_out,
                  use_out ? &off_out : nullptr, len, flags);
  });
  napi_value result = Moved(env, r, argv[1], use_in, off_in);
  Moved(env, r, argv[3], use_out, off_out);
  return result;
}

// tee(fd_in, fd_out, len, flags) -> bytes or -errno: copies (references)
// bytes from one pipe into another without consuming them.
napi_value Tee(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd_in, fd_out;
  size_t len;
  uint32_t flags;
  if (!Args(env, info, argv) || !ArgFd(env, argv[0], &fd_in, "fd_in") ||
      !ArgFd(env, argv[1], &fd_out, "fd_out") ||
      !ArgCount(env, argv[2], "len", &len) ||
      !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(
      env, RetryOnEintr([&] { return tee(fd_in, fd_out, len, flags); }));
}

}  // namespace

void InitZerocopy(napi_env env, napi_value exports) {
  SetFunction(env, exports, "sendfile", Sendfile);
  SetFunction(env, exports, "splice", Splice);
  SetFunction(env, exports, "tee", Tee);
}

}  // namespace ps
