// struct sockaddr_storage <-> the plain address objects of lib/address.ts:
//   { family: AF_INET,  address: '127.0.0.1', port }
//   { family: AF_INET6, address: '::1', port, flowinfo, scopeid }
//   { family: AF_UNIX,  path }         (a leading '\0' is the abstract
//   namespace) { family: AF_PACKET, protocol, ifindex, hatype, pkttype, address
//   }
#ifndef POSIX_SOCKETS_SOCKADDR_H_
#define POSIX_SOCKETS_SOCKADDR_H_

#include <sys/socket.h>

#include "common.h"

namespace ps {

struct SockAddr {
  sockaddr_storage storage;
  socklen_t length;
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// Reads an address object. Throws a TypeError or RangeError naming `name`
// (and the field) and returns false when it is malformed.
bool ArgSockAddr(napi_env env, napi_value v, const char* name, SockAddr* out);

// Builds the address object for `len` bytes of `sa` as the kernel filled
// them. Never reads past `len`.
napi_value SockAddrToJs(napi_env env, const sockaddr* sa, socklen_t len);

}  // namespace ps

#endif  // POSIX_SOCKETS_SOCKADDR_H_
