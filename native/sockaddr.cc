// Addresses: the address objects of lib/address.ts <-> struct sockaddr.
// The text and number forms (inet_pton, htons, interface names) are in
// inet.cc.
#include "sockaddr.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdio>
#include <cstring>

#include "object.h"

namespace ps {

namespace {

// Whether s[0, n) is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing past U+10FFFF), as a JS string can carry it unchanged.
bool IsUtf8(const uint8_t* s, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = s[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i <= extra) return false;  // cut off before its last byte
    for (size_t k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += extra + 1;
  }
  return true;
}

bool ParseInet(napi_env env, napi_value obj, const char* name, SockAddr* out) {
  auto* sin = reinterpret_cast<sockaddr_in*>(&out->storage);
  char ip[INET_ADDRSTRLEN + 1];
  bool present;
  int64_t port;
  napi_value v;
  double number;
  if (!GetField(env, obj, "address", &v)) return false;
  // A number is an in_addr_t in host order, as INADDR_ANY and
  // INADDR_LOOPBACK are before C's htonl (the port, too, is in host order
  // here); C's own layout (sin_addr.s_addr, network order) is sockaddr_c.cc's.
  const bool numeric =
      v != nullptr && napi_get_value_double(env, v, &number) == napi_ok;
  int64_t host = 0;
  if (numeric) {
    if (!ArgInteger(env, v, FieldName(name, "address"), 0, UINT32_MAX, &host))
      return false;
    present = false;
  } else if (!StringField(env, obj, name, "address", ip, sizeof ip, &present)) {
    return false;
  }
  if (!OptionalIntField(env, obj, name, "port", 0, 65535, 0, &port))
    return false;
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<uint16_t>(port));
  if (!present) {
    sin->sin_addr.s_addr = htonl(static_cast<uint32_t>(host));
  } else if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1) {
    ThrowValueError(env, "Argument '%s.address' is not an IPv4 address: '%s'",
                    name, ip);
    return false;
  }
  out->length = sizeof(sockaddr_in);
  return true;
}

bool ParseInet6(napi_env env, napi_value obj, const char* name, SockAddr* out) {
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
  char ip[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  bool present;
  int64_t port, flowinfo, scopeid;
  napi_value v;
  if (!GetField(env, obj, "address", &v)) return false;
  // An in6_addr ({ s6_addr }, such as in6addr_any) or its 16 bytes, as well
  // as text.
  napi_valuetype t = napi_undefined;
  if (v != nullptr) napi_typeof(env, v, &t);
  const bool binary = t == napi_object;
  if (binary) {
    if (!ArgIn6Addr(env, v, FieldName(name, "address"), &sin6->sin6_addr))
      return false;
    present = false;
  } else if (!StringField(env, obj, name, "address", ip, sizeof ip, &present)) {
    return false;
  }
  if (!OptionalIntField(env, obj, name, "port", 0, 65535, 0, &port) ||
      !OptionalIntField(env, obj, name, "flowinfo", 0, UINT32_MAX, 0,
                        &flowinfo) ||
      !OptionalIntField(env, obj, name, "scopeid", 0, UINT32_MAX, 0, &scopeid))
    return false;
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(static_cast<uint16_t>(port));
  sin6->sin6_flowinfo = htonl(static_cast<uint32_t>(flowinfo));
  sin6->sin6_scope_id = static_cast<uint32_t>(scopeid);
  if (!present) {
    if (!binary) sin6->sin6_addr = in6addr_any;
  } else {
    // 'fe80::1%lo' names the scope by interface, as getaddrinfo(3) accepts.
    char* percent = strchr(ip, '%');
    if (percent != nullptr) {
      *percent = '\0';
      unsigned index = if_nametoindex(percent + 1);
      if (index == 0) {
        ThrowValueError(env, "Argument '%s.address' names no interface: '%s'",
                        name, percent + 1);
        return false;
      }
      sin6->sin6_scope_id = index;
    }
    if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1) {
      ThrowValueError(env, "Argument '%s.address' is not an IPv6 address: '%s'",
                      name, ip);
      return false;
    }
  }
  out->length = sizeof(sockaddr_in6);
  return true;
}

// unix(7): a path is NUL-terminated; an abstract name starts with '\0' and
// its length is exact; an empty path asks bind(2) to autobind.
}  // namespace

bool ParseUnixPath(napi_env env, napi_value obj, const char* name,
                   const char* key, SockAddr* out) {
  auto* sun = reinterpret_cast<sockaddr_un*>(&out->storage);
  sun->sun_family = AF_UNIX;
  napi_value v;
  if (!GetField(env, obj, key, &v)) return false;
  FieldName path(name, key);
  const size_t cap = sizeof sun->sun_path;
  const char* bytes = nullptr;
  size_t n = 0;
  char text[sizeof sun->sun_path + 1];
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_string) {
    if (napi_get_value_string_utf8(env, v, nullptr, 0, &n) != napi_ok)
      return false;
    if (n > cap) {
      ThrowRangeError(env,
                      "Argument '%s' is %zu bytes long; at most %zu fit in "
                      "sun_path",
                      path.text, n, cap - 1);
      return false;
    }
    napi_get_value_string_utf8(env, v, text, sizeof text, &n);
    bytes = text;
  } else {
    uint8_t* data;
    if (!ArgBytes(env, v, "path", &data, &n)) {
      bool pending;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
      ThrowTypeError(env, "Expected argument '%s' to be a string or a Buffer",
                     path.text);
      return false;
    }
    if (n > cap) {
      ThrowRangeError(env,
                      "Argument '%s' is %zu bytes long; at most %zu fit in "
                      "sun_path",
                      path.text, n, cap);
      return false;
    }
    bytes = reinterpret_cast<const char*>(data);
  }
  const bool abstract = n > 0 && bytes[0] == '\0';
  if (!abstract) {
    if (memchr(bytes, '\0', n) != nullptr) {
      ThrowValueError(env, "Argument '%s' has a NUL byte inside it", path.text);
      return false;
    }
    if (n == cap) {
      ThrowRangeError(env,
                      "Argument '%s' is %zu bytes long; at most %zu fit in "
                      "sun_path with its NUL",
                      path.text, n, cap - 1);
      return false;
    }
  }
  memcpy(sun->sun_path, bytes, n);
  out->length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n +
                                       (abstract || n == 0 ? 0 : 1));
  if (!abstract && n > 0) sun->sun_path[n] = '\0';
  return true;
}

namespace {

// packet(7): sockaddr_ll, for bind(2) and sendto(2) on AF_PACKET sockets.
bool ParsePacket(napi_env env, napi_value obj, const char* name,
                 SockAddr* out) {
  auto* sll = reinterpret_cast<sockaddr_ll*>(&out->storage);
  int64_t protocol, ifindex, hatype, pkttype;
  if (!OptionalIntField(env, obj, name, "protocol", 0, 65535, 0, &protocol) ||
      !OptionalIntField(env, obj, name, "ifindex", 0, INT32_MAX, 0, &ifindex) ||
      !OptionalIntField(env, obj, name, "hatype", 0, 65535, 0, &hatype) ||
      !OptionalIntField(env, obj, name, "pkttype", 0, 255, 0, &pkttype))
    return false;
  sll->sll_family = AF_PACKET;
  sll->sll_protocol = htons(static_cast<uint16_t>(protocol));
  sll->sll_ifindex = static_cast<int>(ifindex);
  sll->sll_hatype = static_cast<uint16_t>(hatype);
  sll->sll_pkttype = static_cast<uint8_t>(pkttype);
  napi_value v;
  if (!GetField(env, obj, "address", &v)) return false;
  if (!IsNullish(env, v)) {
    uint8_t* data;
    size_t n;
    if (!ArgBytes(env, v, "address", &data, &n)) return false;
    if (n > sizeof sll->sll_addr) {
      ThrowRangeError(env, "Argument '%s.address' is %zu bytes; at most %zu",
                      name, n, sizeof sll->sll_addr);
      return false;
    }
    memcpy(sll->sll_addr, data, n);
    sll->sll_halen = static_cast<uint8_t>(n);
  }
  out->length = sizeof(sockaddr_ll);
  return true;
}

// Raw sockaddr bytes, for a family this library has no fields for: copied
// as they are, their length the one the kernel sees.
bool ParseRaw(napi_env env, napi_value v, const char* name, SockAddr* out) {
  uint8_t* data;
  size_t n;
  if (!ArgBytes(env, v, name, &data, &n)) return false;
  if (n > sizeof out->storage) {
    ThrowRangeError(env,
                    "Argument '%s' is %zu bytes; a sockaddr has at most %zu",
                    name, n, sizeof out->storage);
    return false;
  }
  memcpy(&out->storage, data, n);
  out->length = static_cast<socklen_t>(n);
  return true;
}

}  // namespace

bool ArgSockAddr(napi_env env, napi_value v, const char* name, SockAddr* out) {
  memset(&out->storage, 0, sizeof out->storage);
  if (IsView(env, v)) return ParseRaw(env, v, name, out);
  if (!IsObject(env, v)) {
    ThrowTypeError(env,
                   "Expected argument '%s' to be an address object such as "
                   "{ family: AF_INET, address: '127.0.0.1', port: 8080 }, a "
                   "C struct such as { sin_family, sin_port, sin_addr }, or "
                   "the raw sockaddr bytes",
                   name);
    return false;
  }
  int64_t family;
  if (!OptionalIntField(env, v, name, "family", -1, 65535, -1, &family))
    return false;
  switch (family) {
    case AF_INET:
      return ParseInet(env, v, name, out);
    case AF_INET6:
      return ParseInet6(env, v, name, out);
    case AF_UNIX:
      return ParseUnixPath(env, v, name, "path", out);
    case AF_PACKET:
      return ParsePacket(env, v, name, out);
    case -1: {
      bool matched;
      if (!ParseCSockAddr(env, v, name, &matched, out)) return false;
      if (matched) return true;
      ThrowTypeError(env,
                     "Argument '%s' has neither 'family' nor a C family field "
                     "(sin_family, sin6_family, sun_family)",
                     name);
      return false;
    }
    default:
      // AF_UNSPEC (connect(2) with it dissolves a UDP association) and the
      // families this library has no fields for: a bare struct sockaddr,
      // for the kernel to accept or to answer EAFNOSUPPORT.
      out->storage.ss_family = static_cast<sa_family_t>(family);
      out->length = sizeof(sockaddr);
      return true;
  }
}

napi_value SockAddrToJs(napi_env env, const sockaddr* sa, socklen_t len) {
  napi_value obj;
  napi_create_object(env, &obj);
  SetSockAddrFields(env, obj, sa, len);
  return obj;
}

void SetSockAddrFields(napi_env env, napi_value obj, const sockaddr* sa,
                       socklen_t len) {
  if (len < sizeof(sa_family_t)) {  // e.g. recvfrom on a connected stream
    SetInt(env, obj, "family", AF_UNSPEC);
    return;
  }
  SetInt(env, obj, "family", sa->sa_family);
  char text[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    SetString(env, obj, "address", text);
    SetInt(env, obj, "port", ntohs(sin->sin_port));
  } else if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    SetString(env, obj, "address", text);
    SetInt(env, obj, "port", ntohs(sin6->sin6_port));
    SetInt(env, obj, "flowinfo", ntohl(sin6->sin6_flowinfo));
    SetInt(env, obj, "scopeid", sin6->sin6_scope_id);
  } else if (sa->sa_family == AF_UNIX) {
    auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
    size_t n = len - offsetof(sockaddr_un, sun_path);
    if (n > sizeof sun->sun_path) n = sizeof sun->sun_path;
    // An abstract name keeps every byte; a path stops at its NUL; an
    // unnamed socket has no path at all ('').
    if (n > 0 && sun->sun_path[0] != '\0') n = strnlen(sun->sun_path, n);
    // Bytes that are not UTF-8 come back as a Buffer: as a string they would
    // turn into U+FFFD and no longer name the same socket.
    if (IsUtf8(reinterpret_cast<const uint8_t*>(sun->sun_path), n)) {
      SetString(env, obj, "path", sun->sun_path, n);
    } else {
      napi_value bytes;
      napi_create_buffer_copy(env, n, sun->sun_path, nullptr, &bytes);
      napi_set_named_property(env, obj, "path", bytes);
    }
  } else if (sa->sa_family == AF_PACKET &&
             len >= offsetof(sockaddr_ll, sll_addr)) {
    auto* sll = reinterpret_cast<const sockaddr_ll*>(sa);
    SetInt(env, obj, "protocol", ntohs(sll->sll_protocol));
    SetInt(env, obj, "ifindex", sll->sll_ifindex);
    SetInt(env, obj, "hatype", sll->sll_hatype);
    SetInt(env, obj, "pkttype", sll->sll_pkttype);
    // The hardware address is as long as sll_halen says, within both the
    // field and the length the kernel filled in.
    size_t halen = sll->sll_halen;
    if (halen > sizeof sll->sll_addr) halen = sizeof sll->sll_addr;
    size_t filled = len - offsetof(sockaddr_ll, sll_addr);
    if (halen > filled) halen = filled;
    napi_value addr;
    napi_create_buffer_copy(env, halen, sll->sll_addr, nullptr, &addr);
    napi_set_named_property(env, obj, "address", addr);
  }
}

}  // namespace ps
