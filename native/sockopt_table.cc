// The typed table of socket options: for each (level, optname) the C type of
// its value and whether it can be read, written or both. Every entry is
// #ifdef-guarded, so an option the build's headers lack is simply not in the
// table (the raw Buffer form of setsockopt/getsockoptBuffer still reaches
// it). Sorted by level, then by C name, as in the README's option tables.
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "sockopt.h"

namespace ps {

namespace {

// PS_OPT(level, name, kind, access, longest string) names the option once.
#define PS_OPT(level, name, kind, access, max_string) \
  { level, name, #name, OptKind::kind, access, max_string }

const OptionInfo kOptions[] = {
// SOL_SOCKET
#ifdef SO_ACCEPTCONN
    PS_OPT(SOL_SOCKET, SO_ACCEPTCONN, kBool, kReadOnly, 0),
#endif
#ifdef SO_BINDTODEVICE
    PS_OPT(SOL_SOCKET, SO_BINDTODEVICE, kString, kReadWrite, IFNAMSIZ),
#endif
#ifdef SO_BROADCAST
    PS_OPT(SOL_SOCKET, SO_BROADCAST, kBool, kReadWrite, 0),
#endif
#ifdef SO_BUSY_POLL
    PS_OPT(SOL_SOCKET, SO_BUSY_POLL, kInt, kReadWrite, 0),
#endif
#ifdef SO_COOKIE
    PS_OPT(SOL_SOCKET, SO_COOKIE, kU64, kReadOnly, 0),
#endif
#ifdef SO_DEBUG
    PS_OPT(SOL_SOCKET, SO_DEBUG, kBool, kReadWrite, 0),
#endif
#ifdef SO_DOMAIN
    PS_OPT(SOL_SOCKET, SO_DOMAIN, kInt, kReadOnly, 0),
#endif
#ifdef SO_DONTROUTE
    PS_OPT(SOL_SOCKET, SO_DONTROUTE, kBool, kReadWrite, 0),
#endif
#ifdef SO_ERROR
    PS_OPT(SOL_SOCKET, SO_ERROR, kInt, kReadOnly, 0),
#endif
#ifdef SO_INCOMING_CPU
    PS_OPT(SOL_SOCKET, SO_INCOMING_CPU, kInt, kReadWrite, 0),
#endif
#ifdef SO_INCOMING_NAPI_ID
    PS_OPT(SOL_SOCKET, SO_INCOMING_NAPI_ID, kUint, kReadOnly, 0),
#endif
#ifdef SO_KEEPALIVE
    PS_OPT(SOL_SOCKET, SO_KEEPALIVE, kBool, kReadWrite, 0),
#endif
#ifdef SO_LINGER
    PS_OPT(SOL_SOCKET, SO_LINGER, kLinger, kReadWrite, 0),
#endif
#ifdef SO_MARK
    PS_OPT(SOL_SOCKET, SO_MARK, kUint, kReadWrite, 0),
#endif
#ifdef SO_OOBINLINE
    PS_OPT(SOL_SOCKET, SO_OOBINLINE, kBool, kReadWrite, 0),
#endif
#ifdef SO_PASSCRED
    PS_OPT(SOL_SOCKET, SO_PASSCRED, kBool, kReadWrite, 0),
#endif
#ifdef SO_PEEK_OFF
    PS_OPT(SOL_SOCKET, SO_PEEK_OFF, kInt, kReadWrite, 0),
#endif
#ifdef SO_PEERCRED
    PS_OPT(SOL_SOCKET, SO_PEERCRED, kUcred, kReadOnly, 0),
#endif
#ifdef SO_PRIORITY
    PS_OPT(SOL_SOCKET, SO_PRIORITY, kInt, kReadWrite, 0),
#endif
#ifdef SO_PROTOCOL
    PS_OPT(SOL_SOCKET, SO_PROTOCOL, kInt, kReadOnly, 0),
#endif
#ifdef SO_RCVBUF
    PS_OPT(SOL_SOCKET, SO_RCVBUF, kInt, kReadWrite, 0),
#endif
#ifdef SO_RCVBUFFORCE
    PS_OPT(SOL_SOCKET, SO_RCVBUFFORCE, kInt, kWriteOnly, 0),
#endif
#ifdef SO_RCVLOWAT
    PS_OPT(SOL_SOCKET, SO_RCVLOWAT, kInt, kReadWrite, 0),
#endif
#ifdef SO_RCVTIMEO
    PS_OPT(SOL_SOCKET, SO_RCVTIMEO, kTimeval, kReadWrite, 0),
#endif
#ifdef SO_REUSEADDR
    PS_OPT(SOL_SOCKET, SO_REUSEADDR, kBool, kReadWrite, 0),
#endif
#ifdef SO_REUSEPORT
    PS_OPT(SOL_SOCKET, SO_REUSEPORT, kBool, kReadWrite, 0),
#endif
#ifdef SO_RXQ_OVFL
    PS_OPT(SOL_SOCKET, SO_RXQ_OVFL, kBool, kReadWrite, 0),
#endif
#ifdef SO_SNDBUF
    PS_OPT(SOL_SOCKET, SO_SNDBUF, kInt, kReadWrite, 0),
#endif
#ifdef SO_SNDBUFFORCE
    PS_OPT(SOL_SOCKET, SO_SNDBUFFORCE, kInt, kWriteOnly, 0),
#endif
#ifdef SO_SNDLOWAT
    PS_OPT(SOL_SOCKET, SO_SNDLOWAT, kInt, kReadWrite, 0),
#endif
#ifdef SO_SNDTIMEO
    PS_OPT(SOL_SOCKET, SO_SNDTIMEO, kTimeval, kReadWrite, 0),
#endif
#ifdef SO_TIMESTAMP
    PS_OPT(SOL_SOCKET, SO_TIMESTAMP, kBool, kReadWrite, 0),
#endif
#ifdef SO_TIMESTAMPNS
    PS_OPT(SOL_SOCKET, SO_TIMESTAMPNS, kBool, kReadWrite, 0),
#endif
#ifdef SO_TYPE
    PS_OPT(SOL_SOCKET, SO_TYPE, kInt, kReadOnly, 0),
#endif
#ifdef SO_ZEROCOPY
    PS_OPT(SOL_SOCKET, SO_ZEROCOPY, kBool, kReadWrite, 0),
#endif
// IPPROTO_TCP
#ifdef TCP_CONGESTION
    PS_OPT(IPPROTO_TCP, TCP_CONGESTION, kString, kReadWrite, 64),
#endif
#ifdef TCP_CORK
    PS_OPT(IPPROTO_TCP, TCP_CORK, kBool, kReadWrite, 0),
#endif
#ifdef TCP_DEFER_ACCEPT
    PS_OPT(IPPROTO_TCP, TCP_DEFER_ACCEPT, kInt, kReadWrite, 0),
#endif
#ifdef TCP_FASTOPEN
    PS_OPT(IPPROTO_TCP, TCP_FASTOPEN, kInt, kReadWrite, 0),
#endif
#ifdef TCP_FASTOPEN_CONNECT
    PS_OPT(IPPROTO_TCP, TCP_FASTOPEN_CONNECT, kBool, kReadWrite, 0),
#endif
#ifdef TCP_INFO
    PS_OPT(IPPROTO_TCP, TCP_INFO, kTcpInfo, kReadOnly, 0),
#endif
#ifdef TCP_INQ
    PS_OPT(IPPROTO_TCP, TCP_INQ, kBool, kReadWrite, 0),
#endif
#ifdef TCP_KEEPCNT
    PS_OPT(IPPROTO_TCP, TCP_KEEPCNT, kInt, kReadWrite, 0),
#endif
#ifdef TCP_KEEPIDLE
    PS_OPT(IPPROTO_TCP, TCP_KEEPIDLE, kInt, kReadWrite, 0),
#endif
#ifdef TCP_KEEPINTVL
    PS_OPT(IPPROTO_TCP, TCP_KEEPINTVL, kInt, kReadWrite, 0),
#endif
#ifdef TCP_LINGER2
    PS_OPT(IPPROTO_TCP, TCP_LINGER2, kInt, kReadWrite, 0),
#endif
#ifdef TCP_MAXSEG
    PS_OPT(IPPROTO_TCP, TCP_MAXSEG, kInt, kReadWrite, 0),
#endif
#ifdef TCP_NODELAY
    PS_OPT(IPPROTO_TCP, TCP_NODELAY, kBool, kReadWrite, 0),
#endif
#ifdef TCP_NOTSENT_LOWAT
    PS_OPT(IPPROTO_TCP, TCP_NOTSENT_LOWAT, kUint, kReadWrite, 0),
#endif
#ifdef TCP_QUICKACK
    PS_OPT(IPPROTO_TCP, TCP_QUICKACK, kBool, kReadWrite, 0),
#endif
#ifdef TCP_REPAIR
    PS_OPT(IPPROTO_TCP, TCP_REPAIR, kInt, kReadWrite, 0),
#endif
#ifdef TCP_REPAIR_QUEUE
    PS_OPT(IPPROTO_TCP, TCP_REPAIR_QUEUE, kInt, kReadWrite, 0),
#endif
#ifdef TCP_SYNCNT
    PS_OPT(IPPROTO_TCP, TCP_SYNCNT, kInt, kReadWrite, 0),
#endif
#ifdef TCP_USER_TIMEOUT
    PS_OPT(IPPROTO_TCP, TCP_USER_TIMEOUT, kUint, kReadWrite, 0),
#endif
#ifdef TCP_WINDOW_CLAMP
    PS_OPT(IPPROTO_TCP, TCP_WINDOW_CLAMP, kInt, kReadWrite, 0),
#endif
// IPPROTO_IP
#ifdef IP_ADD_MEMBERSHIP
    PS_OPT(IPPROTO_IP, IP_ADD_MEMBERSHIP, kMreqn, kWriteOnly, 0),
#endif
#ifdef IP_BIND_ADDRESS_NO_PORT
    PS_OPT(IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, kBool, kReadWrite, 0),
#endif
#ifdef IP_DROP_MEMBERSHIP
    PS_OPT(IPPROTO_IP, IP_DROP_MEMBERSHIP, kMreqn, kWriteOnly, 0),
#endif
#ifdef IP_FREEBIND
    PS_OPT(IPPROTO_IP, IP_FREEBIND, kBool, kReadWrite, 0),
#endif
#ifdef IP_HDRINCL
    PS_OPT(IPPROTO_IP, IP_HDRINCL, kBool, kReadWrite, 0),
#endif
#ifdef IP_MTU
    PS_OPT(IPPROTO_IP, IP_MTU, kInt, kReadOnly, 0),
#endif
#ifdef IP_MTU_DISCOVER
    PS_OPT(IPPROTO_IP, IP_MTU_DISCOVER, kInt, kReadWrite, 0),
#endif
#ifdef IP_MULTICAST_IF
    PS_OPT(IPPROTO_IP, IP_MULTICAST_IF, kInAddr, kReadWrite, 0),
#endif
#ifdef IP_MULTICAST_LOOP
    PS_OPT(IPPROTO_IP, IP_MULTICAST_LOOP, kBool, kReadWrite, 0),
#endif
#ifdef IP_MULTICAST_TTL
    PS_OPT(IPPROTO_IP, IP_MULTICAST_TTL, kInt, kReadWrite, 0),
#endif
#ifdef IP_PKTINFO
    PS_OPT(IPPROTO_IP, IP_PKTINFO, kBool, kReadWrite, 0),
#endif
#ifdef IP_RECVERR
    PS_OPT(IPPROTO_IP, IP_RECVERR, kBool, kReadWrite, 0),
#endif
#ifdef IP_RECVTOS
    PS_OPT(IPPROTO_IP, IP_RECVTOS, kBool, kReadWrite, 0),
#endif
#ifdef IP_RECVTTL
    PS_OPT(IPPROTO_IP, IP_RECVTTL, kBool, kReadWrite, 0),
#endif
#ifdef IP_TOS
    PS_OPT(IPPROTO_IP, IP_TOS, kInt, kReadWrite, 0),
#endif
#ifdef IP_TRANSPARENT
    PS_OPT(IPPROTO_IP, IP_TRANSPARENT, kBool, kReadWrite, 0),
#endif
#ifdef IP_TTL
    PS_OPT(IPPROTO_IP, IP_TTL, kInt, kReadWrite, 0),
#endif
// IPPROTO_IPV6
#ifdef IPV6_JOIN_GROUP
    PS_OPT(IPPROTO_IPV6, IPV6_JOIN_GROUP, kMreq6, kWriteOnly, 0),
#endif
#ifdef IPV6_LEAVE_GROUP
    PS_OPT(IPPROTO_IPV6, IPV6_LEAVE_GROUP, kMreq6, kWriteOnly, 0),
#endif
#ifdef IPV6_MTU
    PS_OPT(IPPROTO_IPV6, IPV6_MTU, kInt, kReadWrite, 0),
#endif
#ifdef IPV6_MULTICAST_HOPS
    PS_OPT(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kInt, kReadWrite, 0),
#endif
#ifdef IPV6_MULTICAST_IF
    PS_OPT(IPPROTO_IPV6, IPV6_MULTICAST_IF, kInt, kReadWrite, 0),
#endif
#ifdef IPV6_MULTICAST_LOOP
    PS_OPT(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, kBool, kReadWrite, 0),
#endif
#ifdef IPV6_RECVERR
    PS_OPT(IPPROTO_IPV6, IPV6_RECVERR, kBool, kReadWrite, 0),
#endif
#ifdef IPV6_RECVHOPLIMIT
    PS_OPT(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, kBool, kReadWrite, 0),
#endif
#ifdef IPV6_RECVPKTINFO
    PS_OPT(IPPROTO_IPV6, IPV6_RECVPKTINFO, kBool, kReadWrite, 0),
#endif
#ifdef IPV6_RECVTCLASS
    PS_OPT(IPPROTO_IPV6, IPV6_RECVTCLASS, kBool, kReadWrite, 0),
#endif
#ifdef IPV6_TCLASS
    PS_OPT(IPPROTO_IPV6, IPV6_TCLASS, kInt, kReadWrite, 0),
#endif
#ifdef IPV6_UNICAST_HOPS
    PS_OPT(IPPROTO_IPV6, IPV6_UNICAST_HOPS, kInt, kReadWrite, 0),
#endif
#ifdef IPV6_V6ONLY
    PS_OPT(IPPROTO_IPV6, IPV6_V6ONLY, kBool, kReadWrite, 0),
#endif
// IPPROTO_UDP: generic segmentation and receive offload (Linux 4.18, 5.0)
#ifdef UDP_GRO
    PS_OPT(IPPROTO_UDP, UDP_GRO, kBool, kReadWrite, 0),
#endif
#ifdef UDP_SEGMENT
    PS_OPT(IPPROTO_UDP, UDP_SEGMENT, kInt, kReadWrite, 0),
#endif
};

#undef PS_OPT

}  // namespace

const OptionInfo* FindOption(int level, int optname) {
  // About 80 entries: a linear scan costs less than the system call it
  // precedes, and keeps the table a plain constant array.
  for (const OptionInfo& o : kOptions) {
    if (o.level == level && o.optname == optname) return &o;
  }
  return nullptr;
}

const OptionInfo* AllOptions(size_t* count) {
  *count = sizeof kOptions / sizeof kOptions[0];
  return kOptions;
}

const char* LevelName(int level) {
  switch (level) {
    case SOL_SOCKET:
      return "SOL_SOCKET";
    case IPPROTO_IP:
      return "IPPROTO_IP";
    case IPPROTO_TCP:
      return "IPPROTO_TCP";
    case IPPROTO_IPV6:
      return "IPPROTO_IPV6";
    case IPPROTO_UDP:
      return "IPPROTO_UDP";
    default:
      return nullptr;
  }
}

}  // namespace ps
