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
  if (!StringField(env, obj, name, "address", ip, sizeof ip, &present))
    return false;
  if (!OptionalIntField(env, obj, name, "port", 0, 65535, 0, &port))
    return false;
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<uint16_t>(port));
  if (!present) {
    sin->sin_addr.s_addr = htonl(INADDR_ANY);
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
  if (!StringField(env, obj, name, "address", ip, sizeof ip, &present))
    return false;
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
    sin6->sin6_addr = in6addr_any;
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
bool ParseUnix(napi_env env, napi_value obj, const char* name, SockAddr* out) {
  auto* sun = reinterpret_cast<sockaddr_un*>(&out->storage);
  sun->sun_family = AF_UNIX;
  napi_value v;
  if (!GetField(env, obj, "path", &v)) return false;
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
                      "Argument '%s.path' is %zu bytes long; at most %zu fit "
                      "in sun_path",
                      name, n, cap - 1);
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
      ThrowTypeError(
          env, "Expected argument '%s.path' to be a string or a Buffer", name);
      return false;
    }
    if (n > cap) {
      ThrowRangeError(env,
                      "Argument '%s.path' is %zu bytes long; at most %zu fit "
                      "in sun_path",
                      name, n, cap);
      return false;
    }
    bytes = reinterpret_cast<const char*>(data);
  }
  const bool abstract = n > 0 && bytes[0] == '\0';
  if (!abstract) {
    if (memchr(bytes, '\0', n) != nullptr) {
      ThrowValueError(env, "Argument '%s.path' has a NUL byte inside it", name);
      return false;
    }
    if (n == cap) {
      ThrowRangeError(env,
                      "Argument '%s.path' is %zu bytes long; at most %zu fit "
                      "in sun_path with its NUL",
                      name, n, cap - 1);
      return false;
    }
  }
  memcpy(sun->sun_path, bytes, n);
  out->length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n +
                                       (abstract || n == 0 ? 0 : 1));
  if (!abstract && n > 0) sun->sun_path[n] = '\0';
  return true;
}

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

}  // namespace

bool ArgSockAddr(napi_env env, napi_value v, const char* name, SockAddr* out) {
  napi_valuetype t;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok || t != napi_object) {
    ThrowTypeError(env,
                   "Expected argument '%s' to be an address object such as "
                   "{ family: AF_INET, address: '127.0.0.1', port: 8080 }",
                   name);
    return false;
  }
  memset(&out->storage, 0, sizeof out->storage);
  int64_t family;
  if (!OptionalIntField(env, v, name, "family", INT32_MIN, INT32_MAX, -1,
                        &family))
    return false;
  switch (family) {
    case AF_INET:
      return ParseInet(env, v, name, out);
    case AF_INET6:
      return ParseInet6(env, v, name, out);
    case AF_UNIX:
      return ParseUnix(env, v, name, out);
    case AF_PACKET:
      return ParsePacket(env, v, name, out);
    case -1:
      ThrowTypeError(env, "Argument '%s.family' is missing (AF_INET, ...)",
                     name);
      return false;
    default:
      ThrowValueError(env,
                      "Argument '%s.family' is %lld, which this library "
                      "cannot convert (AF_INET, AF_INET6, AF_UNIX, AF_PACKET)",
                      name, static_cast<long long>(family));
      return false;
  }
}

napi_value SockAddrToJs(napi_env env, const sockaddr* sa, socklen_t len) {
  napi_value obj;
  napi_create_object(env, &obj);
  if (len < sizeof(sa_family_t)) {  // e.g. recvfrom on a connected stream
    SetInt(env, obj, "family", AF_UNSPEC);
    return obj;
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
  return obj;
}

}  // namespace ps
