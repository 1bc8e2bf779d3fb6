// Names to addresses: getaddrinfo(3), getnameinfo(3), gai_strerror(3).
//
// These are C library calls, not system calls: they read /etc/hosts and
// /etc/services, may ask nscd or a DNS server, and so may block for as long
// as the resolver's timeouts (seconds), as in C. Node's `dns` module is the
// asynchronous road; these are for programs that translate C literally.
//
// The convention differs from common.h's -errno, because these calls fail
// with EAI_* codes, not errno: a wrapper returns its value (an array, an
// object) when the call succeeded, or a number when it failed. That number
// is the EAI_* code as C returned it, which is negative on Linux (glibc and
// musl alike; asserted below), except for EAI_SYSTEM ("see errno"), where it
// is errno itself, positive. lib/netdb.ts reads a negative number as an
// EAI_* code and a positive one as an errno.
#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "object.h"
#include "sockaddr.h"

namespace ps {

namespace {

static_assert(EAI_BADFLAGS < 0 && EAI_NONAME < 0 && EAI_AGAIN < 0 &&
                  EAI_FAIL < 0 && EAI_FAMILY < 0 && EAI_SOCKTYPE < 0 &&
                  EAI_SERVICE < 0 && EAI_MEMORY < 0 && EAI_SYSTEM < 0 &&
                  EAI_OVERFLOW < 0,
              "EAI_* codes must be negative: a positive answer is an errno");

// The failure answer: the EAI_* code, or errno for EAI_SYSTEM. Call it
// right after the call, before anything can touch errno.
napi_value GaiFailure(napi_env env, int code) {
  if (code == EAI_SYSTEM && errno > 0) return Int(env, errno);
  return Int(env, code);
}

// A C string argument, or NULL for null/undefined. (ArgString refuses a
// string with a NUL inside, which C would look up cut short.)
bool ArgOptionalCString(napi_env env, napi_value v, const char* name, char* buf,
                        size_t size, const char** out) {
  if (v == nullptr || IsNullish(env, v)) {
    *out = nullptr;
    return true;
  }
  if (!ArgString(env, v, name, buf, size, nullptr)) return false;
  *out = buf;
  return true;
}

// struct addrinfo hints from { ai_flags?, ai_family?, ai_socktype?,
// ai_protocol? }, each 0 when absent, as a zeroed C struct has them.
bool ArgHints(napi_env env, napi_value v, addrinfo* hints) {
  int64_t flags, family, socktype, protocol;
  if (!IsObject(env, v)) {
    ThrowTypeError(env, "Expected argument 'hints' to be an object or null");
    return false;
  }
  if (!OptionalIntField(env, v, "hints", "ai_flags", INT32_MIN, UINT32_MAX, 0,
                        &flags) ||
      !OptionalIntField(env, v, "hints", "ai_family", INT32_MIN, INT32_MAX, 0,
                        &family) ||
      !OptionalIntField(env, v, "hints", "ai_socktype", INT32_MIN, INT32_MAX, 0,
                        &socktype) ||
      !OptionalIntField(env, v, "hints", "ai_protocol", INT32_MIN, INT32_MAX, 0,
                        &protocol))
    return false;
  *hints = addrinfo{};
  hints->ai_flags = static_cast<int>(flags);
  hints->ai_family = static_cast<int>(family);
  hints->ai_socktype = static_cast<int>(socktype);
  hints->ai_protocol = static_cast<int>(protocol);
  return true;
}

// One struct addrinfo as { ai_flags, ai_family, ai_socktype, ai_protocol,
// ai_addrlen, ai_addr, ai_canonname }; ai_next is the array's order.
napi_value AddrInfoToJs(napi_env env, const addrinfo* ai) {
  napi_value obj, addr, canon;
  napi_create_object(env, &obj);
  SetInt(env, obj, "ai_flags", ai->ai_flags);
  SetInt(env, obj, "ai_family", ai->ai_family);
  SetInt(env, obj, "ai_socktype", ai->ai_socktype);
  SetInt(env, obj, "ai_protocol", ai->ai_protocol);
  SetInt(env, obj, "ai_addrlen", ai->ai_addrlen);
  addr = SockAddrToJs(env, ai->ai_addr, ai->ai_addrlen);
  napi_set_named_property(env, obj, "ai_addr", addr);
  if (ai->ai_canonname != nullptr)
    napi_create_string_utf8(env, ai->ai_canonname, NAPI_AUTO_LENGTH, &canon);
  else
    napi_get_null(env, &canon);
  napi_set_named_property(env, obj, "ai_canonname", canon);
  return obj;
}

struct FreeAddrInfo {
  void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};

// getaddrinfo(node, service, hints) -> the list as an array, or a number
// (see the top of this file). The list is freed on every path, including
// one where building the array throws (a setter planted on a prototype).
napi_value GetAddrInfo(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  char node_buf[NI_MAXHOST], service_buf[NI_MAXSERV];
  const char *node, *service;
  addrinfo hints;
  const addrinfo* hints_ptr = nullptr;
  if (!ArgOptionalCString(env, argv[0], "node", node_buf, sizeof node_buf,
                          &node) ||
      !ArgOptionalCString(env, argv[1], "service", service_buf,
                          sizeof service_buf, &service))
    return nullptr;
  if (argv[2] != nullptr && !IsNullish(env, argv[2])) {
    if (!ArgHints(env, argv[2], &hints)) return nullptr;
    hints_ptr = &hints;
  }
  addrinfo* res = nullptr;
  int r = getaddrinfo(node, service, hints_ptr, &res);
  if (r != 0) return GaiFailure(env, r);
  std::unique_ptr<addrinfo, FreeAddrInfo> list(res);
  napi_value out;
  if (napi_create_array(env, &out) != napi_ok) return nullptr;
  uint32_t i = 0;
  for (const addrinfo* ai = res; ai != nullptr; ai = ai->ai_next, i++) {
    if (napi_set_element(env, out, i, AddrInfoToJs(env, ai)) != napi_ok)
      return nullptr;
  }
  return out;
}

// getnameinfo(addr, flags) -> { host, serv }, or a number (see the top of
// this file). Both buffers are always passed, at C's NI_MAXHOST and
// NI_MAXSERV, so a caller who wants one ignores the other.
napi_value GetNameInfo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  SockAddr addr;
  uint32_t flags;
  if (!ArgSockAddr(env, argv[0], "addr", &addr) ||
      !ArgFlags(env, argv[1], "flags", 0, &flags))
    return nullptr;
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  int r = getnameinfo(addr.get(), addr.length, host, sizeof host, serv,
                      sizeof serv, static_cast<int>(flags));
  if (r != 0) return GaiFailure(env, r);
  napi_value out;
  napi_create_object(env, &out);
  SetString(env, out, "host", host);
  SetString(env, out, "serv", serv);
  return out;
}

// gai_strerror(errcode) -> the C library's text for an EAI_* code. glibc's
// strings are constant (translated through gettext), so this is safe from
// any thread.
napi_value GaiStrError(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  int code;
  if (!ArgInt(env, argv[0], "errcode", &code)) return nullptr;
  napi_value out;
  napi_create_string_utf8(env, gai_strerror(code), NAPI_AUTO_LENGTH, &out);
  return out;
}

}  // namespace

void InitNetdb(napi_env env, napi_value exports) {
  SetFunction(env, exports, "getaddrinfo", GetAddrInfo);
  SetFunction(env, exports, "getnameinfo", GetNameInfo);
  SetFunction(env, exports, "gai_strerror", GaiStrError);
}

}  // namespace ps
