// struct sockaddr_storage <-> the plain address objects of lib/address.ts:
//   { family: AF_INET,  address: '127.0.0.1', port }
//   { family: AF_INET6, address: '::1', port, flowinfo, scopeid }
//   { family: AF_UNIX,  path }         (a leading '\0' is the abstract
//   namespace) { family: AF_PACKET, protocol, ifindex, hatype, pkttype, address
//   }
#ifndef POSIX_SOCKETS_SOCKADDR_H_
#define POSIX_SOCKETS_SOCKADDR_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include "common.h"

namespace ps {

struct SockAddr {
  sockaddr_storage storage;
  socklen_t length;
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// Reads an address: a friendly object ({ family, address, port }), a C
// struct literally ({ sin_family, sin_port, sin_addr }, network order), or
// raw sockaddr bytes. Throws a TypeError or RangeError naming `name` (and
// the field) and returns false when it is malformed; a family this library
// does not know goes to the kernel as a bare struct sockaddr.
bool ArgSockAddr(napi_env env, napi_value v, const char* name, SockAddr* out);

// C's trailing addrlen, optional: the length the kernel sees, at most the
// whole C struct of the address's family (or the raw bytes given).
bool ArgAddrLen(napi_env env, napi_value v, const char* name, SockAddr* addr);

// C's value-result pair (struct sockaddr *addr, socklen_t *addrlen) for
// accept(2) and recvfrom(2): `addr` an object to fill or null, `addrlen` a
// { value } object or null. Sets out->length to the room the kernel may
// fill (0 for a null addr).
bool ArgAddrOut(napi_env env, napi_value addr, napi_value addrlen,
                const char* name, SockAddr* out);
// After the call: fills `addr` with both forms of the address (within the
// room given) and sets addrlen.value to the length the kernel reported.
bool FillAddrOut(napi_env env, napi_value addr, napi_value addrlen,
                 const SockAddr* from, socklen_t room);

// Builds the address object for `len` bytes of `sa` as the kernel filled
// them. Never reads past `len`.
napi_value SockAddrToJs(napi_env env, const sockaddr* sa, socklen_t len);
void SetSockAddrFields(napi_env env, napi_value obj, const sockaddr* sa,
                       socklen_t len);

// sizeof the C struct for a family (struct sockaddr for one it has none).
socklen_t CStructSize(int family);

// unix(7) sun_path from the field `key` of `obj` ("path", or C's
// "sun_path").
bool ParseUnixPath(napi_env env, napi_value obj, const char* name,
                   const char* key, SockAddr* out);

// sockaddr_c.cc: C's layouts. `*matched` says whether `obj` had a C family
// field (sin_family, sin6_family, sun_family) at all.
bool ParseCSockAddr(napi_env env, napi_value obj, const char* name,
                    bool* matched, SockAddr* out);
// Sets the C fields of the address (sin_family, sin_port, sin_addr.s_addr,
// ...), in network order as C has them.
void SetCFields(napi_env env, napi_value obj, const sockaddr* sa,
                socklen_t len);
// An in6_addr: { s6_addr: 16 bytes } or the 16 bytes themselves.
bool ArgIn6Addr(napi_env env, napi_value v, const char* name, in6_addr* out);

}  // namespace ps

#endif  // POSIX_SOCKETS_SOCKADDR_H_
