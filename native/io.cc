// Plain I/O: read, write, recv, send, recvfrom, sendto. These are the hot
// path of every server, so each is a plain Node-API function that reads its
// arguments with as few calls as possible and allocates nothing (recvfrom
// excepted: it must build the sender's address).
//
// C's arguments in C's places: `buf` is any ArrayBufferView, the count
// (C's `count` or `len`, bytes) is optional and means "the rest of the
// view", and the byte offset that stands for C's `buf + off` comes last, so
// a hot loop needs no subarray. Both are bounds-checked first.
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
  return sys::send(fd, buf, len, flags | kSendFlags);
}

// read(2)(fd, buf, count?, offset?), write(2)(fd, buf, count?, offset?),
// recv(2)(fd, buf, len?, flags?, offset?), send(2)(likewise): C's arguments
// in C's places, then the offset that stands for C's `buf + off`.
template <ssize_t (*Call)(int, uint8_t*, size_t, int), bool kFlags>
napi_value ByteIo(napi_env env, napi_callback_info info) {
  constexpr int kOffset = kFlags ? 4 : 3;
  napi_value argv[kOffset + 1];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags = 0;
  uint8_t* data;
  size_t len;
  if (!ArgFd(env, argv[0], &fd) ||
      (kFlags && !ArgFlags(env, argv[3], "flags", 0, &flags)) ||
      !ArgBufCount(env, argv[1], argv[2], argv[kOffset], "buf",
                   kFlags ? "len" : "count", &data, &len))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return Call(fd, data, len, static_cast<int>(flags));
                       }));
}

// recvfrom(2)(fd, buf, len?, flags?, src_addr?, addrlen?, offset?).
// With `src_addr` undefined -> { bytes, address } (address null when the
// kernel gave none, as on a connected stream), or -errno. With `src_addr`
// an object or null, C's form -> bytes, or -errno: the object is filled with
// the sender's address and `addrlen`, a { value } object, gets its length.
napi_value RecvFrom(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  uint8_t* data;
  size_t len;
  const bool c_form = argv[4] != nullptr && !IsUndefined(env, argv[4]);
  SockAddr from;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgFlags(env, argv[3], "flags", 0, &flags) ||
      (c_form && !ArgAddrOut(env, argv[4], argv[5], "src_addr", &from)) ||
      !ArgBufCount(env, argv[1], argv[2], argv[6], "buf", "len", &data, &len))
    return nullptr;
  if (!c_form) from.length = sizeof from.storage;
  const socklen_t room = from.length;
  ssize_t n = RetryOnEintr([&] {
    from.length = room;
    return recvfrom(fd, data, len, static_cast<int>(flags), from.get(),
                    &from.length);
  });
  if (n == -1) return ResultOrErrno(env, -1);
  if (c_form) {
    if (!FillAddrOut(env, argv[4], argv[5], &from, room)) return nullptr;
    return Int(env, n);
  }
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

// sendto(2)(fd, buf, len, flags, dest_addr, addrlen?, offset?). A null
// `dest_addr` sends on a connected socket, as a NULL dest_addr does in C.
napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  uint8_t* data;
  size_t len;
  SockAddr to;
  bool has_to = !IsNullish(env, argv[4]);
  // The address first: reading its fields can run the caller's getters,
  // which could detach `buf`; its pointer is taken after the last of them.
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgFlags(env, argv[3], "flags", 0, &flags) ||
      (has_to && !ArgSockAddr(env, argv[4], "dest_addr", &to)) ||
      (has_to && !ArgAddrLen(env, argv[5], "addrlen", &to)) ||
      !ArgBufCount(env, argv[1], argv[2], argv[6], "buf", "len", &data, &len))
    return nullptr;
  return ResultOrErrno(
      env, RetryOnEintr([&] {
        return sendto(fd, data, len, static_cast<int>(flags) | kSendFlags,
                      has_to ? to.get() : nullptr, has_to ? to.length : 0);
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
