// File descriptors in general: close, fcntl, pipe2, eventfd. Sockets are
// fds, and epoll tests and lessons need pipes and eventfds beside them.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"

namespace ps {

namespace {

// close(2). Never retried: on Linux the fd is released even when close
// reports EINTR, and a retry could close an fd another thread just opened.
// So EINTR counts as success here.
napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  if (!ArgFd(env, argv[0], &fd)) return nullptr;
  int r = close(fd);
  if (r == -1 && errno == EINTR) r = 0;
  return ResultOrErrno(env, r);
}

// fcntl(2)(fd, cmd, arg?) for every command whose argument is an int or
// none, known or not: an unknown command is the kernel's EINVAL. Only the
// commands whose argument is a pointer to a struct (record locks, owner_ex,
// read/write hints) are refused, since a number cannot be one.
bool TakesPointer(int cmd) {
  switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
    case F_GETOWN_EX:
    case F_SETOWN_EX:
    case F_GET_RW_HINT:
    case F_SET_RW_HINT:
    case F_GET_FILE_RW_HINT:
    case F_SET_FILE_RW_HINT:
      return true;
    default:
      return false;
  }
}

// fcntl(fd, cmd, arg, err) -> the command's result, or undefined with errno
// in err[0]. A result may be negative without an error: F_GETOWN names a
// process group as its negated id. glibc answers that through
// F_GETOWN_EX, so that even -1 (process group 1) comes back with errno
// untouched; hence errno is cleared first and failure is -1 with errno set,
// the test a careful C caller makes.
napi_value Fcntl(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd, cmd, arg;
  int32_t* err;
  if (!ArgFd(env, argv[0], &fd) || !ArgInt(env, argv[1], "cmd", &cmd) ||
      !ArgOptionalInt(env, argv[2], "arg", 0, &arg) ||
      !ArgErrnoSlot(env, argv[3], &err))
    return nullptr;
  if (TakesPointer(cmd)) {
    ThrowValueError(env,
                    "Argument 'cmd' %d takes a pointer to a struct, which a "
                    "number cannot be",
                    cmd);
    return nullptr;
  }
  int r = RetryOnEintr([&] {
    errno = 0;
    return fcntl(fd, cmd, arg);
  });
  return ValueOrErrnoSlot(env, r == -1 && errno != 0, r, err);
}

// pipe2(2) -> [readFd, writeFd], or -errno.
napi_value Pipe(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  uint32_t flags;
  if (!ArgFlags(env, argv[0], "flags", 0, &flags)) return nullptr;
  int fds[2];
  if (pipe2(fds, static_cast<int>(flags)) == -1) return ResultOrErrno(env, -1);
  return FdPair(env, fds[0], fds[1]);
}

// eventfd(2)
napi_value EventFd(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  int64_t initval;
  uint32_t flags;
  if (!ArgOptionalInteger(env, argv[0], "initval", 0, UINT32_MAX, 0,
                          &initval) ||
      !ArgFlags(env, argv[1], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(
      env, eventfd(static_cast<unsigned>(initval), static_cast<int>(flags)));
}

}  // namespace

void InitFds(napi_env env, napi_value exports) {
  SetFunction(env, exports, "close", Close);
  SetFunction(env, exports, "fcntl", Fcntl);
  SetFunction(env, exports, "pipe", Pipe);
  SetFunction(env, exports, "eventfd", EventFd);
}

}  // namespace ps
