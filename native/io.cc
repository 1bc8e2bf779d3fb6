// Plain I/O: read, write, recv, send, recvfrom, sendto. These are the hot
// path of every server, so each is a plain Node-API function that reads its
// arguments with as few calls as possible and allocates nothing (recvfrom
// excepted: it must build the sender's address).
//
// `buf` is any ArrayBufferView; optional `offset` and `length` (in bytes)
// select a part of it without a subarray, and are bounds-checked first.
#include <sys/socket.h>
#include <unistd.h>

#include "sockaddr.h"
#include "syscalls.h"

namespace ps {

namespace {

// read(2)(fd, buf, offset?, length?)
napi_value Read(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgByteRange(env, argv[1], argv[2], argv[3], "buf", &data, &len))
    return nullptr;
  return ResultOrErrno(env,
                       RetryOnEintr([&] { return sys::read(fd, data, len); }));
}

// write(2)(fd, buf, offset?, length?)
napi_value Write(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgByteRange(env, argv[1], argv[2], argv[3], "buf", &data, &len))
    return nullptr;
  return ResultOrErrno(env,
                       RetryOnEintr([&] { return sys::write(fd, data, len); }));
}

// recv(2)(fd, buf, flags?, offset?, length?)
napi_value Recv(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgByteRange(env, argv[1], argv[3], argv[4], "buf", &data, &len) ||
      !ArgFlags(env, argv[2], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return sys::recv(fd, data, len,
                                          static_cast<int>(flags));
                       }));
}

// send(2)(fd, buf, flags?, offset?, length?)
napi_value Send(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgByteRange(env, argv[1], argv[3], argv[4], "buf", &data, &len) ||
      !ArgFlags(env, argv[2], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return sys::send(fd, data, len,
                                          static_cast<int>(flags));
                       }));
}

// recvfrom(2)(fd, buf, flags?, offset?, length?) -> { bytes, address }, or
// -errno. `address` is null when the kernel gave none (a connected stream).
napi_value RecvFrom(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgByteRange(env, argv[1], argv[3], argv[4], "buf", &data, &len) ||
      !ArgFlags(env, argv[2], "flags", 0, &flags))
    return nullptr;
  SockAddr from;
  from.length = sizeof from.storage;
  ssize_t n = RetryOnEintr([&] {
    return recvfrom(fd, data, len, static_cast<int>(flags), from.get(),
                    &from.length);
  });
  if (n == -1) return ResultOrErrno(env, -1);
  napi_value result, address;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "bytes", Int(env, n));
  if (from.length == 0) {
    napi_get_null(env, &address);
  } else {
    address = SockAddrToJs(env, from.get(), from.length);
  }
  napi_set_named_property(env, result, "address", address);
  return result;
}

// sendto(2)(fd, buf, flags, addr, offset?, length?). A null `addr` sends on
// a connected socket, as a NULL dest_addr does in C.
napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  uint8_t* data;
  size_t len;
  SockAddr to;
  bool has_to = !IsNullish(env, argv[3]);
  // The address first: reading its fields can run the caller's getters,
  // which could detach `buf`; its pointer is taken after the last of them.
  if (!ArgFd(env, argv[0], &fd) ||
      (has_to && !ArgSockAddr(env, argv[3], "addr", &to)) ||
      !ArgFlags(env, argv[2], "flags", 0, &flags) ||
      !ArgByteRange(env, argv[1], argv[4], argv[5], "buf", &data, &len))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return sendto(fd, data, len, static_cast<int>(flags),
                                       has_to ? to.get() : nullptr,
                                       has_to ? to.length : 0);
                       }));
}

}  // namespace

void InitIo(napi_env env, napi_value exports) {
  SetFunction(env, exports, "read", Read);
  SetFunction(env, exports, "write", Write);
  SetFunction(env, exports, "recv", Recv);
  SetFunction(env, exports, "send", Send);
  SetFunction(env, exports, "recvfrom", RecvFrom);
  SetFunction(env, exports, "sendto", SendTo);
}

}  // namespace ps
