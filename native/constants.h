// The constants object: native/constants.cc makes it, and the two files that
// scripts/gen-constants.py generates from its list of names fill it.
#ifndef POSIX_SOCKETS_CONSTANTS_H_
#define POSIX_SOCKETS_CONSTANTS_H_

#include "common.h"

namespace ps {

// Unsigned values (EPOLLET is 1u << 31, INADDR_NONE is 0xffffffff) stay
// unsigned, so JS sees the same number C code compares against.
template <typename T>
void Set(napi_env env, napi_value obj, const char* name, T value) {
  napi_value v;
  napi_create_double(env, static_cast<double>(value), &v);
  napi_set_named_property(env, obj, name, v);
}

// Creating sockets and their options: AF_*, SOCK_*, IPPROTO_*, SOL_*, SO_*,
// TCP_*, IP_*, IPV6_*.
void SetNetConstants(napi_env env, napi_value c);
// The rest: MSG_*, SCM_*, SHUT_*, limits and special addresses,
// O_*/FD_*/F_*/EFD_*, ioctl requests, EPOLL*, POLL*, ETH_P_*/ICMP_*/PACKET_*,
// and the errno names.
void SetSystemConstants(napi_env env, napi_value c);

}  // namespace ps

#endif  // POSIX_SOCKETS_CONSTANTS_H_
