// C's own layouts for addresses, beside the friendly objects of
// sockaddr.cc: { sin_family, sin_port, sin_addr: { s_addr } } (ip(7)),
// { sin6_family, sin6_port, sin6_flowinfo, sin6_addr: { s6_addr },
// sin6_scope_id } (ipv6(7)) and { sun_family, sun_path } (unix(7)), with the
// port and address in network order as in C, so that
// `sin_port: htons(7000)` means what it means in C. Also C's value-result
// arguments (struct sockaddr *, socklen_t *) of accept(2) and recvfrom(2).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/un.h>

#include <cstring>

#include "object.h"
#include "sockaddr.h"

namespace ps {

namespace {

bool ParseCInet(napi_env env, napi_value obj, const char* name, SockAddr* out) {
  auto* sin = reinterpret_cast<sockaddr_in*>(&out->storage);
  int64_t family, port, s_addr = 0;
  napi_value in;
  if (!IntField(env, obj, name, "sin_family", 0, 65535, &family) ||
      !OptionalIntField(env, obj, name, "sin_port", 0, 65535, 0, &port) ||
      !GetField(env, obj, "sin_addr", &in))
    return false;
  if (!IsNullish(env, in)) {
    FieldName field(name, "sin_addr");
    if (!IsObject(env, in)) {
      ThrowTypeError(env, "Expected argument '%s' to be { s_addr }",
                     field.text);
      return false;
    }
    if (!IntField(env, in, field, "s_addr", 0, UINT32_MAX, &s_addr))
      return false;
  }
  // Stored as given: these numbers are already in network order.
  sin->sin_family = static_cast<sa_family_t>(family);
  sin->sin_port = static_cast<in_port_t>(port);
  sin->sin_addr.s_addr = static_cast<in_addr_t>(s_addr);
  out->length = sizeof(sockaddr_in);
  return true;
}

bool ParseCInet6(napi_env env, napi_value obj, const char* name,
                 SockAddr* out) {
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
  int64_t family, port, flowinfo, scope;
  napi_value in6;
  if (!IntField(env, obj, name, "sin6_family", 0, 65535, &family) ||
      !OptionalIntField(env, obj, name, "sin6_port", 0, 65535, 0, &port) ||
      !OptionalIntField(env, obj, name, "sin6_flowinfo", 0, UINT32_MAX, 0,
                        &flowinfo) ||
      !OptionalIntField(env, obj, name, "sin6_scope_id", 0, UINT32_MAX, 0,
                        &scope) ||
      !GetField(env, obj, "sin6_addr", &in6))
    return false;
  if (!IsNullish(env, in6) &&
      !ArgIn6Addr(env, in6, FieldName(name, "sin6_addr"), &sin6->sin6_addr))
    return false;
  sin6->sin6_family = static_cast<sa_family_t>(family);
  sin6->sin6_port = static_cast<in_port_t>(port);
  sin6->sin6_flowinfo = static_cast<uint32_t>(flowinfo);
  sin6->sin6_scope_id = static_cast<uint32_t>(scope);
  out->length = sizeof(sockaddr_in6);
  return true;
}

bool ParseCUnix(napi_env env, napi_value obj, const char* name, SockAddr* out) {
  int64_t family;
  if (!IntField(env, obj, name, "sun_family", 0, 65535, &family) ||
      !ParseUnixPath(env, obj, name, "sun_path", out))
    return false;
  out->storage.ss_family = static_cast<sa_family_t>(family);
  return true;
}

napi_value NewObject(napi_env env) {
  napi_value o;
  napi_create_object(env, &o);
  return o;
}

}  // namespace

bool ArgIn6Addr(napi_env env, napi_value v, const char* name, in6_addr* out) {
  napi_value bytes = v;
  bool is_view = false;
  napi_is_typedarray(env, v, &is_view);
  if (!is_view && !GetField(env, v, "s6_addr", &bytes)) return false;
  FieldName field(name, "s6_addr");
  uint8_t* data;
  size_t n;
  if (!ArgBytes(env, bytes, is_view ? name : field.text, &data, &n))
    return false;
  if (n != sizeof out->s6_addr) {
    ThrowRangeError(env, "Argument '%s' must be 16 bytes, got %zu",
                    is_view ? name : field.text, n);
    return false;
  }
  memcpy(out->s6_addr, data, n);
  return true;
}

bool ParseCSockAddr(napi_env env, napi_value obj, const char* name,
                    bool* matched, SockAddr* out) {
  *matched = true;
  if (HasField(env, obj, "sin_family")) return ParseCInet(env, obj, name, out);
  if (HasField(env, obj, "sin6_family"))
    return ParseCInet6(env, obj, name, out);
  if (HasField(env, obj, "sun_family")) return ParseCUnix(env, obj, name, out);
  *matched = false;
  return true;
}

void SetCFields(napi_env env, napi_value obj, const sockaddr* sa,
                socklen_t len) {
  if (len < sizeof(sa_family_t)) return;
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    napi_value in = NewObject(env);
    SetInt(env, obj, "sin_family", sin->sin_family);
    SetInt(env, obj, "sin_port", sin->sin_port);
    SetInt(env, in, "s_addr", sin->sin_addr.s_addr);
    napi_set_named_property(env, obj, "sin_addr", in);
  } else if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    napi_value in6 = NewObject(env), bytes;
    napi_create_buffer_copy(env, sizeof sin6->sin6_addr, &sin6->sin6_addr,
                            nullptr, &bytes);
    napi_set_named_property(env, in6, "s6_addr", bytes);
    SetInt(env, obj, "sin6_family", sin6->sin6_family);
    SetInt(env, obj, "sin6_port", sin6->sin6_port);
    SetInt(env, obj, "sin6_flowinfo", sin6->sin6_flowinfo);
    napi_set_named_property(env, obj, "sin6_addr", in6);
    SetInt(env, obj, "sin6_scope_id", sin6->sin6_scope_id);
  } else if (sa->sa_family == AF_UNIX) {
    napi_value path;
    SetInt(env, obj, "sun_family", AF_UNIX);
    // The same bytes as the friendly `path` just set on this object.
    if (GetField(env, obj, "path", &path))
      napi_set_named_property(env, obj, "sun_path", path);
  }
}

socklen_t CStructSize(int family) {
  switch (family) {
    case AF_INET:
      return sizeof(sockaddr_in);
    case AF_INET6:
      return sizeof(sockaddr_in6);
    case AF_UNIX:
      return sizeof(sockaddr_un);
    case AF_PACKET:
      return sizeof(sockaddr_ll);
    default:
      return sizeof(sockaddr);
  }
}

bool ArgAddrLen(napi_env env, napi_value v, const char* name, SockAddr* addr) {
  if (IsNullish(env, v)) return true;
  // Up to the whole C struct of the family (its bytes past what was encoded
  // are zero), as sizeof(addr) is in C; never past the storage.
  socklen_t max = CStructSize(addr->storage.ss_family);
  if (max < addr->length) max = addr->length;
  int64_t len;
  if (!ArgInteger(env, v, name, 0, max, &len)) return false;
  addr->length = static_cast<socklen_t>(len);
  return true;
}

bool ArgAddrOut(napi_env env, napi_value addr, napi_value addrlen,
                const char* name, SockAddr* out) {
  out->length = 0;
  if (IsNullish(env, addr)) return true;  // C's NULL: no address wanted
  if (!IsObject(env, addr)) {
    ThrowTypeError(env, "Expected argument '%s' to be an object or null", name);
    return false;
  }
  out->length = sizeof out->storage;
  if (IsNullish(env, addrlen)) return true;
  if (!IsObject(env, addrlen)) {
    ThrowTypeError(env, "Expected argument 'addrlen' to be { value } or null");
    return false;
  }
  // *addrlen in: the room C's buffer has. The storage here always has
  // sizeof(sockaddr_storage), so a larger value changes nothing.
  int64_t room;
  if (!IntField(env, addrlen, "addrlen", "value", 0, INT32_MAX, &room))
    return false;
  if (room < static_cast<int64_t>(out->length))
    out->length = static_cast<socklen_t>(room);
  return true;
}

bool FillAddrOut(napi_env env, napi_value addr, napi_value addrlen,
                 const SockAddr* from, socklen_t room) {
  // *addrlen out: the address's real length, which may exceed the room (the
  // address was cut short), as the kernel reports it.
  if (IsObject(env, addrlen)) SetInt(env, addrlen, "value", from->length);
  if (!IsObject(env, addr)) return true;
  socklen_t n = from->length < room ? from->length : room;
  SetSockAddrFields(env, addr,
                    reinterpret_cast<const sockaddr*>(&from->storage), n);
  SetCFields(env, addr, reinterpret_cast<const sockaddr*>(&from->storage), n);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  return !pending;
}

}  // namespace ps
