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

// The four byte calls as one signature: read and write take no flags.
ssize_t Read(int fd, uint8_t* buf, size_t len, int) {
  return sys::read(fd, buf, len);
}
ssize_t Write(int fd, uint8_t* buf, size_t len, int) {
  return sys::write(fd, buf, len);
}
ssize_t Recv(int fd, uint8_t* buf, size_t len, int flags) {
  return sys::recv(fd, buf, len, flags);
}
ssize_t Send(int fd, uint8_t* buf, size_t len, int flags) {
  return sys::send(fd, buf, len, flags);
}

// read(2)(fd, buf, offset?, length?), write(2)(fd, buf, offset?, length?),
// recv(2)(fd, buf, flags?, offset?, length?), send(2)(likewise).
template <ssize_t (*Call)(int, uint8_t*, size_t, int), bool kFlags>
napi_value ByteIo(napi_env env, napi_callback_info info) {
  constexpr int kRange = kFlags ? 3 : 2;  // where offset and length start
  napi_value argv[kRange + 2];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags = 0;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgByteRange(env, argv[1], argv[kRange], argv[kRange + 1], "buf", &data,
                    &len) ||
      (kFlags && !ArgFlags(env, argv[2], "flags", 0, &flags)))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return Call(fd, data, len, static_cast<int>(flags));
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
  SetFunction(env, exports, "read", ByteIo<Read, false>);
  SetFunction(env, exports, "write", ByteIo<Write, false>);
  SetFunction(env, exports, "recv", ByteIo<Recv, true>);
  SetFunction(env, exports, "send", ByteIo<Send, true>);
  SetFunction(env, exports, "recvfrom", RecvFrom);
  SetFunction(env, exports, "sendto", SendTo);
}

}  // namespace ps
