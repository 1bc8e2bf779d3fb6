// Batched datagram I/O, recvmmsg(2) and sendmmsg(2).
//
// recvmmsg and sendmmsg are a hot path (a UDP server calls them per batch),
// so they allocate nothing per datagram: the caller owns the buffers, and
// the lengths and flags of the received messages are written into the
// caller's Uint32Array/Int32Array. Only the optional per-message addresses
// allocate, and only when asked for.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "msg.h"
#include "sockaddr.h"

namespace ps {

namespace {

struct Batch {
  mmsghdr msgs[kMaxBuffers];
  iovec iov[kMaxBuffers];
  napi_value handles[kMaxBuffers];
  uint32_t count = 0;
};

// A Uint32Array or Int32Array with room for `count` entries, or nullish
// when `optional`. `*out` is null when it was not given.
bool ArgWords(napi_env env, napi_value v, const char* name, uint32_t count,
              bool optional, uint32_t** out) {
  *out = nullptr;
  if (optional && IsNullish(env, v)) return true;
  auto type = static_cast<napi_typedarray_type>(-1);  // see ArgBytes
  size_t length;
  void* data;
  if (v == nullptr ||
      napi_get_typedarray_info(env, v, &type, &length, &data, nullptr,
                               nullptr) != napi_ok ||
      (type != napi_uint32_array && type != napi_int32_array)) {
    ThrowTypeError(env,
                   "Expected argument '%s' to be a Uint32Array or "
                   "Int32Array",
                   name);
    return false;
  }
  if (length < count) {
    // A detached array reads as length 0, so it lands here too.
    ThrowRangeError(env,
                    "Argument '%s' has %zu entries; the %u buffers need "
                    "as many",
                    name, length, count);
    return false;
  }
  *out = static_cast<uint32_t*>(data);
  return true;
}

// recvmmsg(2)(fd, bufs, lengths, flags?, msgFlags?, addresses?) -> count or
// -errno. Message i lands in bufs[i]; lengths[i] gets its msg_len,
// msgFlags[i] its msg_flags, addresses[i] its sender (or null).
napi_value RecvMmsg(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  bool want_addresses = !IsNullish(env, argv[5]);
  bool is_array = false;
  if (!ArgFd(env, argv[0], &fd) || !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  if (want_addresses &&
      (napi_is_array(env, argv[5], &is_array) != napi_ok || !is_array)) {
    ThrowTypeError(env, "Expected argument 'addresses' to be an array");
    return nullptr;
  }
  // Static storage would be shared by worker threads; the batch is large
  // (about 90 KiB) but only for the length of the call.
  Batch b;
  uint32_t *lengths, *msg_flags;
  if (!ArgIovecs(env, argv[1], "bufs", b.iov, b.handles, &b.count) ||
      !ArgWords(env, argv[2], "lengths", b.count, false, &lengths) ||
      !ArgWords(env, argv[4], "msgFlags", b.count, true, &msg_flags))
    return nullptr;
  sockaddr_storage* names = nullptr;
  if (want_addresses && b.count > 0) {
    names = static_cast<sockaddr_storage*>(
        malloc(sizeof(sockaddr_storage) * b.count));
    if (names == nullptr) {
      ThrowRangeError(env, "Cannot allocate room for %u addresses", b.count);
      return nullptr;
    }
  }
  for (uint32_t i = 0; i < b.count; i++) {
    msghdr& h = b.msgs[i].msg_hdr;
    memset(&h, 0, sizeof h);
    h.msg_iov = &b.iov[i];
    h.msg_iovlen = 1;
    if (names != nullptr) {
      h.msg_name = &names[i];
      h.msg_namelen = sizeof names[i];
    }
    b.msgs[i].msg_len = 0;
  }
  int n = RetryOnEintr([&] {
    return recvmmsg(fd, b.msgs, b.count, static_cast<int>(flags), nullptr);
  });
  if (n == -1) {
    napi_value err = ResultOrErrno(env, -1);
    free(names);
    return err;
  }
  // The typed arrays are written before the addresses array: a setter on
  // that array could run JS, which must not find a write still pending.
  for (int i = 0; i < n; i++) {
    lengths[i] = b.msgs[i].msg_len;
    if (msg_flags != nullptr)
      msg_flags[i] = static_cast<uint32_t>(b.msgs[i].msg_hdr.msg_flags);
  }
  if (names != nullptr) {
    for (int i = 0; i < n; i++) {
      const msghdr& h = b.msgs[i].msg_hdr;
      napi_value address;
      if (h.msg_namelen == 0) {
        napi_get_null(env, &address);
      } else {
        address = SockAddrToJs(env, reinterpret_cast<sockaddr*>(&names[i]),
                               h.msg_namelen);
      }
      napi_set_element(env, argv[5], static_cast<uint32_t>(i), address);
    }
    free(names);
  }
  return Int(env, n);
}

// sendmmsg(2)(fd, bufs, lengths?, flags?, addresses?) -> count or -errno.
// `lengths[i]` (when given) sends only the first lengths[i] bytes of
// bufs[i]; `addresses` is one address for every message or an array with
// one (or null) per message.
napi_value SendMmsg(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t flags;
  if (!ArgFd(env, argv[0], &fd) || !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  // Addresses are parsed (which may run JS getters) before the buffers are
  // checked.
  SockAddr one;
  SockAddr* each = nullptr;
  uint32_t naddresses =
      0;  // how many `each` holds: fixed before any getter runs
  bool has_one = false;
  napi_value addresses = argv[4];
  if (!IsNullish(env, addresses)) {
    bool is_array = false;
    napi_is_array(env, addresses, &is_array);
    if (!is_array) {
      if (!ArgSockAddr(env, addresses, "addresses", &one)) return nullptr;
      has_one = true;
    } else {
      uint32_t count;
      if (!ArgArrayLength(env, addresses, "addresses", kMaxBuffers, &count))
        return nullptr;
      naddresses = count;
      each = static_cast<SockAddr*>(calloc(count ? count : 1, sizeof *each));
      if (each == nullptr) {
        ThrowRangeError(env, "Cannot allocate room for %u addresses", count);
        return nullptr;
      }
      for (uint32_t i = 0; i < count; i++) {
        napi_value a;
        char label[32];
        snprintf(label, sizeof label, "addresses[%u]", i);
        if (napi_get_element(env, addresses, i, &a) != napi_ok ||
            (!IsNullish(env, a) && !ArgSockAddr(env, a, label, &each[i]))) {
          free(each);
          return nullptr;
        }
      }
    }
  }
  // The buffers are read last: an address's getters run JS, which could
  // detach a buffer whose pointer had already been taken.
  Batch b;
  uint32_t* lengths;
  if (!ArgIovecs(env, argv[1], "bufs", b.iov, b.handles, &b.count) ||
      !ArgWords(env, argv[2], "lengths", b.count, true, &lengths)) {
    free(each);
    return nullptr;
  }
  if (each != nullptr && naddresses < b.count) {
    ThrowRangeError(env,
                    "Argument 'addresses' has %u entries; the %u "
                    "buffers need as many",
                    naddresses, b.count);
    free(each);
    return nullptr;
  }
  for (uint32_t i = 0; i < b.count; i++) {
    if (lengths != nullptr) {
      if (lengths[i] > b.iov[i].iov_len) {
        ThrowRangeError(env,
                        "Argument 'lengths[%u]' (%u) is past the end of "
                        "'bufs[%u]' (%zu bytes)",
                        i, lengths[i], i, b.iov[i].iov_len);
        free(each);
        return nullptr;
      }
      b.iov[i].iov_len = lengths[i];
    }
    msghdr& h = b.msgs[i].msg_hdr;
    memset(&h, 0, sizeof h);
    h.msg_iov = &b.iov[i];
    h.msg_iovlen = 1;
    SockAddr* to = has_one ? &one : each != nullptr ? &each[i] : nullptr;
    if (to != nullptr && to->length > 0) {
      h.msg_name = to->get();
      h.msg_namelen = to->length;
    }
  }
  int n = RetryOnEintr([&] {
    return sendmmsg(fd, b.msgs, b.count, static_cast<int>(flags) | kSendFlags);
  });
  napi_value result = ResultOrErrno(env, n);
  free(each);
  return result;
}

}  // namespace

void InitBatchMessages(napi_env env, napi_value exports) {
  SetFunction(env, exports, "recvmmsg", RecvMmsg);
  SetFunction(env, exports, "sendmmsg", SendMmsg);
}

}  // namespace ps
