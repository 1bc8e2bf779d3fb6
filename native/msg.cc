// Scatter/gather and message I/O: readv(2), writev(2), sendmsg(2),
// recvmsg(2). The ancillary data they carry is encoded and decoded in
// cmsg.cc; the batched forms (recvmmsg, sendmmsg) are in mmsg.cc.
//
// Every list of buffers is checked whole (type, detached, count bounded by
// IOV_MAX) before the system call, and no JS runs between those checks and
// the call (see ArgIovecs).
#include "msg.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "object.h"
#include "sockaddr.h"

namespace ps {

bool ArgArrayLength(napi_env env, napi_value v, const char* name, uint32_t max,
                    uint32_t* length) {
  bool is_array = false;
  if (v == nullptr || napi_is_array(env, v, &is_array) != napi_ok ||
      !is_array) {
    ThrowTypeError(env, "Expected argument '%s' to be an array", name);
    return false;
  }
  napi_get_array_length(env, v, length);
  if (*length > max) {
    ThrowRangeError(env, "Argument '%s' has %u entries; at most %u are allowed",
                    name, *length, max);
    return false;
  }
  return true;
}

bool ArgIovecs(napi_env env, napi_value array, const char* name, iovec* iov,
               napi_value* handles, uint32_t* count) {
  return ArgArrayLength(env, array, name, kMaxBuffers, count) &&
         FillIovecs(env, array, name, *count, iov, handles);
}

bool FillIovecs(napi_env env, napi_value array, const char* name,
                uint32_t count, iovec* iov, napi_value* handles) {
  for (uint32_t i = 0; i < count; i++) {
    if (napi_get_element(env, array, i, &handles[i]) != napi_ok) return false;
  }
  for (uint32_t i = 0; i < count; i++) {
    uint8_t* data;
    size_t len;
    if (ArgBytes(env, handles[i], name, &data, &len)) {
      iov[i].iov_base = data;
      iov[i].iov_len = len;
      continue;
    }
    // The slow path names the element: drop the first error and check
    // again under the label `name[i]`.
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    char label[64];
    snprintf(label, sizeof label, "%s[%u]", name, i);
    ArgBytes(env, handles[i], label, &data, &len);
    return false;
  }
  return true;
}

namespace {

// The buffers of a message: the iovecs and the scratch FillIovecs needs,
// on the stack for the common few and on the heap for more. More than
// IOV_MAX is the kernel's to refuse (EINVAL for readv, EMSGSIZE for
// sendmsg); the bound here only keeps a runaway array from allocating
// without limit.
struct Iovecs {
  static constexpr uint32_t kInline = 64;
  static constexpr uint32_t kMaxArg = 1 << 16;
  iovec inline_iov[kInline];
  napi_value inline_handles[kInline];
  iovec* iov = inline_iov;
  napi_value* handles = inline_handles;
  uint32_t count = 0;
  ~Iovecs() {
    if (iov != inline_iov) free(iov);
    if (handles != inline_handles) free(handles);
  }
  bool Parse(napi_env env, napi_value array, const char* name) {
    if (!ArgArrayLength(env, array, name, kMaxArg, &count)) return false;
    if (count > kInline) {
      iov = static_cast<iovec*>(calloc(count, sizeof(iovec)));
      handles = static_cast<napi_value*>(calloc(count, sizeof(napi_value)));
      if (iov == nullptr || handles == nullptr) {
        ThrowRangeError(env, "Cannot allocate %u iovecs", count);
        return false;
      }
    }
    return FillIovecs(env, array, name, count, iov, handles);
  }
};

// readv(2)(fd, bufs) and writev(2)(fd, bufs): the same call shape, one
// direction each.
template <ssize_t (*Vectored)(int, const iovec*, int)>
napi_value VectoredIo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  Iovecs v;
  if (!ArgFd(env, argv[0], &fd) || !v.Parse(env, argv[1], "bufs"))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return Vectored(fd, v.iov, static_cast<int>(v.count));
                       }));
}

// sendmsg(2)(fd, { buffers, address?, control? }, flags?)
napi_value SendMsg(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  if (!ArgFd(env, argv[0], &fd) || !ArgFlags(env, argv[2], "flags", 0, &flags))
    return nullptr;
  if (!IsObject(env, argv[1])) {
    ThrowTypeError(env, "Expected argument 'msg' to be an object");
    return nullptr;
  }
  napi_value buffers, address, control;
  if (napi_get_named_property(env, argv[1], "address", &address) != napi_ok ||
      napi_get_named_property(env, argv[1], "control", &control) != napi_ok ||
      napi_get_named_property(env, argv[1], "buffers", &buffers) != napi_ok)
    return nullptr;
  // Addresses and control messages are copied out of their objects first;
  // the buffers come last so nothing can detach one once it is checked.
  SockAddr to;
  bool has_to = !IsNullish(env, address);
  if (has_to && !ArgSockAddr(env, address, "msg.address", &to)) return nullptr;
  ControlOut cmsgs;
  if (!IsNullish(env, control) && !cmsgs.Parse(env, control, "msg.control"))
    return nullptr;
  Iovecs v;
  if (!v.Parse(env, buffers, "msg.buffers")) return nullptr;
  msghdr msg = {};
  msg.msg_name = has_to ? to.get() : nullptr;
  msg.msg_namelen = has_to ? to.length : 0;
  msg.msg_iov = v.iov;
  msg.msg_iovlen = v.count;
  msg.msg_control = cmsgs.data();
  msg.msg_controllen = cmsgs.length();
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return sendmsg(fd, &msg,
                                        static_cast<int>(flags) | kSendFlags);
                       }));
}

// recvmsg(2)(fd, buffers, { controlLength }?, flags?) ->
//   { bytes, flags, address, control, fds } or -errno.
napi_value RecvMsg(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  int64_t control_length = 0;
  if (!ArgFd(env, argv[0], &fd) || !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  if (!IsNullish(env, argv[2])) {
    napi_value v;
    if (!IsObject(env, argv[2])) {
      ThrowTypeError(env, "Expected argument 'options' to be an object");
      return nullptr;
    }
    if (napi_get_named_property(env, argv[2], "controlLength", &v) != napi_ok ||
        !ArgOptionalInteger(env, v, "options.controlLength", 0, kMaxControl, 0,
                            &control_length))
      return nullptr;
  }
  Iovecs v;
  if (!v.Parse(env, argv[1], "buffers")) return nullptr;
  // Small control buffers (the common case: a few fds, one pktinfo) live on
  // the stack; larger ones for the length of the call only.
  alignas(cmsghdr) uint8_t inline_control[256];
  uint8_t* control = inline_control;
  if (static_cast<size_t>(control_length) > sizeof inline_control) {
    control = static_cast<uint8_t*>(malloc(control_length));
    if (control == nullptr) {
      ThrowRangeError(env, "Cannot allocate %lld bytes of control data",
                      static_cast<long long>(control_length));
      return nullptr;
    }
  }
  SockAddr from;
  msghdr msg = {};
  msg.msg_name = from.get();
  msg.msg_namelen = sizeof from.storage;
  msg.msg_iov = v.iov;
  msg.msg_iovlen = v.count;
  msg.msg_control = control_length > 0 ? control : nullptr;
  msg.msg_controllen = static_cast<size_t>(control_length);
  ssize_t n =
      RetryOnEintr([&] { return recvmsg(fd, &msg, static_cast<int>(flags)); });
  napi_value result;
  if (n == -1) {
    result = ResultOrErrno(env, -1);
  } else {
    napi_value address, fds;
    napi_create_object(env, &result);
    napi_set_named_property(env, result, "bytes", Int(env, n));
    napi_set_named_property(env, result, "flags", Int(env, msg.msg_flags));
    if (msg.msg_namelen == 0) {
      napi_get_null(env, &address);
    } else {
      address = SockAddrToJs(env, from.get(), msg.msg_namelen);
    }
    napi_set_named_property(env, result, "address", address);
    napi_create_array(env, &fds);
    napi_set_named_property(env, result, "control",
                            ControlToJs(env, &msg, fds));
    napi_set_named_property(env, result, "fds", fds);
    // Building the result runs no code of the caller's, unless a setter was
    // planted on Object.prototype or Array.prototype; if one threw, the
    // caller never sees the fds the kernel installed, so close them here.
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) CloseReceivedFds(&msg);
  }
  if (control != inline_control) free(control);
  return result;
}

}  // namespace

void InitMessages(napi_env env, napi_value exports) {
  SetFunction(env, exports, "readv", VectoredIo<readv>);
  SetFunction(env, exports, "writev", VectoredIo<writev>);
  SetFunction(env, exports, "sendmsg", SendMsg);
  SetFunction(env, exports, "recvmsg", RecvMsg);
}

}  // namespace ps
