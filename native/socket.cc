// Sockets: socket, socketpair, bind, listen, accept4, connect, shutdown,
// getsockname, getpeername. Each wrapper checks its arguments, makes one
// system call and returns the result or -errno (see common.h).
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sockaddr.h"
#include "syscalls.h"

namespace ps {

namespace {

// socket(2)
napi_value Socket(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int domain, type, protocol;
  if (!ArgInt(env, argv[0], "domain", &domain) ||
      !ArgInt(env, argv[1], "type", &type) ||
      !ArgOptionalInt(env, argv[2], "protocol", 0, &protocol))
    return nullptr;
  return ResultOrErrno(env, socket(domain, type, protocol));
}

// socketpair(2) -> [fd, fd], or -errno.
napi_value SocketPair(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int domain, type, protocol;
  if (!ArgInt(env, argv[0], "domain", &domain) ||
      !ArgInt(env, argv[1], "type", &type) ||
      !ArgOptionalInt(env, argv[2], "protocol", 0, &protocol))
    return nullptr;
  int sv[2];
  if (socketpair(domain, type, protocol, sv) == -1)
    return ResultOrErrno(env, -1);
  return FdPair(env, sv[0], sv[1]);
}

// bind(2)(fd, addr, addrlen?)
napi_value Bind(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  SockAddr addr;
  if (!ArgFd(env, argv[0], &fd) || !ArgSockAddr(env, argv[1], "addr", &addr) ||
      !ArgAddrLen(env, argv[2], "addrlen", &addr))
    return nullptr;
  return ResultOrErrno(env, bind(fd, addr.get(), addr.length));
}

// listen(2)
napi_value Listen(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  int fd, backlog;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgOptionalInt(env, argv[1], "backlog", SOMAXCONN, &backlog))
    return nullptr;
  return ResultOrErrno(env, listen(fd, backlog));
}

// accept4(2)(fd, addr?, addrlen?, flags?): C's value-result pair. With a
// null addr (the common case) the peer's address is not asked for and
// nothing is allocated.
napi_value Accept(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  SockAddr peer;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgAddrOut(env, argv[1], argv[2], "addr", &peer) ||
      !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  const socklen_t room = peer.length;
  int r = RetryOnEintr([&] {
    peer.length = room;
    return sys::accept4(fd, room ? peer.get() : nullptr,
                        room ? &peer.length : nullptr, static_cast<int>(flags));
  });
  if (r >= 0 && room && !FillAddrOut(env, argv[1], argv[2], &peer, room)) {
    close(r);  // the caller would never learn the fd
    return nullptr;
  }
  return ResultOrErrno(env, r);
}

// SO_SNDTIMEO of `fd` in milliseconds (rounded up), or -1 (no timeout, or
// none readable): the timeout poll(2) takes.
int SendTimeoutMs(int fd) {
  timeval tv = {0, 0};
  socklen_t len = sizeof tv;
  if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) != 0 ||
      (tv.tv_sec == 0 && tv.tv_usec == 0))
    return -1;
  int64_t ms =
      static_cast<int64_t>(tv.tv_sec) * 1000 + (tv.tv_usec + 999) / 1000;
  return ms > INT32_MAX ? INT32_MAX : static_cast<int>(ms);
}

// connect(2)(fd, addr, addrlen?). An interrupted connect is not simply
// retried or abandoned: what happened to the attempt depends on the family.
// A TCP handshake goes on in the kernel (connecting again says EALREADY,
// then EISCONN once it is done), while an AF_UNIX connect that was waiting
// for room in a listener's queue is dropped (unix(7)), and connecting again
// starts it anew. So connect again, as often as EINTR comes back, and let
// the kernel's answer say which: EALREADY/EINPROGRESS means wait for the
// handshake and read its outcome from SO_ERROR, as CPython does (PEP 475);
// EISCONN means it finished in between.
napi_value Connect(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  SockAddr addr;
  if (!ArgFd(env, argv[0], &fd) || !ArgSockAddr(env, argv[1], "addr", &addr) ||
      !ArgAddrLen(env, argv[2], "addrlen", &addr))
    return nullptr;
  if (connect(fd, addr.get(), addr.length) == 0) return Int(env, 0);
  if (errno != EINTR) return ResultOrErrno(env, -1);
  int r;
  do {
    r = connect(fd, addr.get(), addr.length);
  } while (r == -1 && errno == EINTR);
  if (r == 0 || errno == EISCONN) return Int(env, 0);
  if (errno != EALREADY && errno != EINPROGRESS) return ResultOrErrno(env, -1);
  // The wait for the handshake keeps the bound the kernel's own wait had:
  // SO_SNDTIMEO, after which a blocking connect fails with EINPROGRESS
  // (socket(7)). Without it a signal would turn a bounded connect into one
  // that waits for the SYN retries to give up, minutes later. Each retry
  // after EINTR waits the whole timeout again, as a C loop would.
  pollfd p = {fd, POLLOUT, 0};
  int timeout_ms = SendTimeoutMs(fd);
  int ready = RetryOnEintr([&] { return poll(&p, 1, timeout_ms); });
  if (ready == -1) return ResultOrErrno(env, -1);
  if (ready == 0) return Int(env, -EINPROGRESS);
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
    return ResultOrErrno(env, -1);
  return Int(env, -err);
}

// shutdown(2)
napi_value Shutdown(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  int fd, how;
  if (!ArgFd(env, argv[0], &fd) || !ArgInt(env, argv[1], "how", &how))
    return nullptr;
  return ResultOrErrno(env, shutdown(fd, how));
}

// getsockname(2) and getpeername(2)(fd) -> address object, or -errno; and
// C's form (fd, addr, addrlen): the value-result pair filled as accept's,
// 0 or -errno.
template <int (*Name)(int, sockaddr*, socklen_t*)>
napi_value GetName(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  if (!ArgFd(env, argv[0], &fd)) return nullptr;
  SockAddr addr;
  addr.length = sizeof addr.storage;
  const bool c_form = !IsNullish(env, argv[1]);
  if (c_form && !ArgAddrOut(env, argv[1], argv[2], "addr", &addr))
    return nullptr;
  const socklen_t room = addr.length;
  if (Name(fd, addr.get(), &addr.length) == -1) return ResultOrErrno(env, -1);
  if (!c_form) return SockAddrToJs(env, addr.get(), addr.length);
  if (!FillAddrOut(env, argv[1], argv[2], &addr, room)) return nullptr;
  return ResultOrErrno(env, 0);
}

}  // namespace

void InitSockets(napi_env env, napi_value exports) {
  SetFunction(env, exports, "socket", Socket);
  SetFunction(env, exports, "socketpair", SocketPair);
  SetFunction(env, exports, "bind", Bind);
  SetFunction(env, exports, "listen", Listen);
  SetFunction(env, exports, "accept", Accept);
  SetFunction(env, exports, "connect", Connect);
  SetFunction(env, exports, "shutdown", Shutdown);
  SetFunction(env, exports, "getsockname", GetName<getsockname>);
  SetFunction(env, exports, "getpeername", GetName<getpeername>);
}

}  // namespace ps
