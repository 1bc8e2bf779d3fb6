// `constants`: every name of scripts/gen-constants.py's list that the system
// headers define, with their values, read when the addon is built; and
// `sizeof`, the sizes of the structs a socket program passes.
#include "constants.h"

#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

namespace ps {

void InitConstants(napi_env env, napi_value exports) {
  napi_value c;
  napi_create_object(env, &c);
  SetLibcConstants(env, c);
  SetUapiConstants(env, c);
  napi_set_named_property(env, exports, "constants", c);

  napi_value size;
  napi_create_object(env, &size);
  Set(env, size, "sockaddr", sizeof(sockaddr));
  Set(env, size, "sockaddr_in", sizeof(sockaddr_in));
  Set(env, size, "sockaddr_in6", sizeof(sockaddr_in6));
  Set(env, size, "sockaddr_un", sizeof(sockaddr_un));
  Set(env, size, "sockaddr_ll", sizeof(sockaddr_ll));
  Set(env, size, "sockaddr_storage", sizeof(sockaddr_storage));
  Set(env, size, "in_addr", sizeof(in_addr));
  Set(env, size, "in6_addr", sizeof(in6_addr));
  Set(env, size, "int", sizeof(int));
  // The option structs, for C's `setsockopt(..., &tv, sizeof tv)`.
  Set(env, size, "timeval", sizeof(timeval));
  Set(env, size, "linger", sizeof(linger));
  Set(env, size, "ucred", sizeof(ucred));
  // sendmsg/recvmsg's, for the structs a caller lays out in memory.
  Set(env, size, "msghdr", sizeof(msghdr));
  Set(env, size, "iovec", sizeof(iovec));
  Set(env, size, "cmsghdr", sizeof(cmsghdr));
  napi_set_named_property(env, exports, "sizeof", size);
}

}  // namespace ps
