// Socket options: the table that gives each known (level, optname) its C
// type, shared by sockopt.cc (get/set), sockopt_table.cc (the table) and
// tcp_info.cc (the struct tcp_info decoder).
#ifndef POSIX_SOCKETS_SOCKOPT_H_
#define POSIX_SOCKETS_SOCKOPT_H_

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstddef>
#include <cstdint>

#include "common.h"

namespace ps {

// How an option's value looks in C, and so in JS.
enum class OptKind : uint8_t {
  kBool,     // int, 0 or 1 <-> boolean
  kInt,      // int <-> number
  kUint,     // unsigned int (SO_MARK) <-> number in [0, 2^32)
  kLinger,   // struct linger <-> { onoff: boolean, linger }
  kTimeval,  // struct timeval <-> { sec, usec } (set also takes ms)
  kMreqn,    // struct ip_mreqn <- { multiaddr, address?, ifindex? }
  kMreq6,    // struct ipv6_mreq <- { multiaddr, ifindex? }
  kInAddr,   // struct in_addr <-> '192.0.2.1'
  kString,   // char[] (an interface or algorithm name) <-> string
  kUcred,    // struct ucred -> { pid, uid, gid }
  kU64,      // uint64_t (SO_COOKIE) -> bigint
  kTcpInfo,  // struct tcp_info -> decoded object
};

enum OptAccess : uint8_t {
  kReadWrite = 0,
  kReadOnly = 1,   // getsockopt only: setsockopt is a TypeError
  kWriteOnly = 2,  // setsockopt only: the kernel has no getsockopt for it
};

struct OptionInfo {
  int level;
  int optname;
  const char* name;  // the C name, for error messages
  OptKind kind;
  uint8_t access;
  // The largest string a kString option takes, NUL included.
  uint8_t max_string;
};

// The entry for (level, optname), or nullptr when the typed form does not
// know the option (the raw Buffer form still reaches it).
const OptionInfo* FindOption(int level, int optname);

// Every entry of the table, in its order (by level, then by C name).
const OptionInfo* AllOptions(size_t* count);

// The name of a level for messages: "SOL_SOCKET", "IPPROTO_TCP", ... or
// nullptr.
const char* LevelName(int level);

// Big enough for every typed value; struct tcp_info is about 250 bytes and
// grows by a few bytes a release, so TCP_INFO gets the whole buffer and the
// kernel says how much it filled.
union OptBuffer {
  int i;
  unsigned u;
  linger l;
  timeval tv;
  ucred cred;
  in_addr addr;
  ip_mreqn mreqn;
  ipv6_mreq mreq6;
  uint64_t u64;
  char s[64];
  unsigned char raw[512];
};

// sockopt_value.cc: the length to pass to getsockopt for a typed option.
socklen_t GetLength(const OptionInfo& o);

// sockopt_value.cc: the JS value of the `len` bytes the kernel wrote in `b`.
napi_value Decode(napi_env env, const OptionInfo& o, const OptBuffer& b,
                  socklen_t len);

// sockopt_value.cc: checks `v` and converts it into `b` for setsockopt.
// Throws (TypeError, RangeError) and returns false on bad input.
bool Encode(napi_env env, const OptionInfo& o, napi_value v, OptBuffer* b,
            socklen_t* len);

// sockopt_value.cc: true/false or the numbers 0 and 1 -> 1 or 0.
bool BoolValue(napi_env env, napi_value v, const char* label, int* out);

// tcp_info.cc: the object for the `len` bytes of struct tcp_info the kernel
// wrote at `data`. Reads no field that lies past `len`.
napi_value TcpInfoToJs(napi_env env, const void* data, socklen_t len);

}  // namespace ps

#endif  // POSIX_SOCKETS_SOCKOPT_H_
