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

// fcntl(2) for the commands whose argument is an int (F_GETFL, F_SETFL,
// F_GETFD, F_SETFD, ...). Commands that take a pointer are refused, since a
// number cannot be one.
napi_value Fcntl(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int fd, cmd, arg;
  if (!ArgFd(env, argv[0], &fd) || !ArgInt(env, argv[1], "cmd", &cmd) ||
      !ArgOptionalInt(env, argv[2], "arg", 0, &arg))
    return nullptr;
  switch (cmd) {
    case F_GETFL:
    case F_SETFL:
    case F_GETFD:
    case F_SETFD:
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      break;
    default:
      ThrowValueError(env,
                      "Argument 'cmd' %d is not an fcntl command with an int "
                      "argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD, "
                      "F_DUPFD, F_DUPFD_CLOEXEC)",
                      cmd);
      return nullptr;
  }
  return ResultOrErrno(env, RetryOnEintr([&] { return fcntl(fd, cmd, arg); }));
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
