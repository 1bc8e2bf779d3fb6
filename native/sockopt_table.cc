// The typed table of socket options: for each (level, optname) the C type of
// its value and whether it can be read, written or both. Every entry is
// #ifdef-guarded, so an option the build's headers lack is simply not in the
// table (the raw Buffer form of setsockopt/getsockoptBuffer still reaches
// it). Sorted by level, then by C name, as in docs/options.md.
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sockopt.h"

namespace ps {

namespace {

const OptionInfo kOptions[] = {
    // SOL_SOCKET
#ifdef SO_ACCEPTCONN
    {SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN", OptKind::kBool, kReadOnly, 0},
#endif
#ifdef SO_BINDTODEVICE
    {SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE", OptKind::kString, kReadWrite, IFNAMSIZ},
#endif
#ifdef SO_BROADCAST
    {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_BUSY_POLL
    {SOL_SOCKET, SO_BUSY_POLL, "SO_BUSY_POLL", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_COOKIE
    {SOL_SOCKET, SO_COOKIE, "SO_COOKIE", OptKind::kU64, kReadOnly, 0},
#endif
#ifdef SO_DEBUG
    {SOL_SOCKET, SO_DEBUG, "SO_DEBUG", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_DOMAIN
    {SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN", OptKind::kInt, kReadOnly, 0},
#endif
#ifdef SO_DONTROUTE
    {SOL_SOCKET, SO_DONTROUTE, "SO_DONTROUTE", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_ERROR
    {SOL_SOCKET, SO_ERROR, "SO_ERROR", OptKind::kInt, kReadOnly, 0},
#endif
#ifdef SO_INCOMING_CPU
    {SOL_SOCKET, SO_INCOMING_CPU, "SO_INCOMING_CPU", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_INCOMING_NAPI_ID
    {SOL_SOCKET, SO_INCOMING_NAPI_ID, "SO_INCOMING_NAPI_ID", OptKind::kUint, kReadOnly, 0},
#endif
#ifdef SO_KEEPALIVE
    {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_LINGER
    {SOL_SOCKET, SO_LINGER, "SO_LINGER", OptKind::kLinger, kReadWrite, 0},
#endif
#ifdef SO_MARK
    {SOL_SOCKET, SO_MARK, "SO_MARK", OptKind::kUint, kReadWrite, 0},
#endif
#ifdef SO_OOBINLINE
    {SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_PASSCRED
    {SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_PEEK_OFF
    {SOL_SOCKET, SO_PEEK_OFF, "SO_PEEK_OFF", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_PEERCRED
    {SOL_SOCKET, SO_PEERCRED, "SO_PEERCRED", OptKind::kUcred, kReadOnly, 0},
#endif
#ifdef SO_PRIORITY
    {SOL_SOCKET, SO_PRIORITY, "SO_PRIORITY", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_PROTOCOL
    {SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL", OptKind::kInt, kReadOnly, 0},
#endif
#ifdef SO_RCVBUF
    {SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_RCVBUFFORCE
    {SOL_SOCKET, SO_RCVBUFFORCE, "SO_RCVBUFFORCE", OptKind::kInt, kWriteOnly, 0},
#endif
#ifdef SO_RCVLOWAT
    {SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_RCVTIMEO
    {SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO", OptKind::kTimeval, kReadWrite, 0},
#endif
#ifdef SO_REUSEADDR
    {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_REUSEPORT
    {SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_RXQ_OVFL
    {SOL_SOCKET, SO_RXQ_OVFL, "SO_RXQ_OVFL", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_SNDBUF
    {SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_SNDBUFFORCE
    {SOL_SOCKET, SO_SNDBUFFORCE, "SO_SNDBUFFORCE", OptKind::kInt, kWriteOnly, 0},
#endif
#ifdef SO_SNDLOWAT
    {SOL_SOCKET, SO_SNDLOWAT, "SO_SNDLOWAT", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef SO_SNDTIMEO
    {SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO", OptKind::kTimeval, kReadWrite, 0},
#endif
#ifdef SO_TIMESTAMP
    {SOL_SOCKET, SO_TIMESTAMP, "SO_TIMESTAMP", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_TIMESTAMPNS
    {SOL_SOCKET, SO_TIMESTAMPNS, "SO_TIMESTAMPNS", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef SO_TYPE
    {SOL_SOCKET, SO_TYPE, "SO_TYPE", OptKind::kInt, kReadOnly, 0},
#endif
#ifdef SO_ZEROCOPY
    {SOL_SOCKET, SO_ZEROCOPY, "SO_ZEROCOPY", OptKind::kBool, kReadWrite, 0},
#endif
    // IPPROTO_TCP
#ifdef TCP_CONGESTION
    {IPPROTO_TCP, TCP_CONGESTION, "TCP_CONGESTION", OptKind::kString, kReadWrite, 64},
#endif
#ifdef TCP_CORK
    {IPPROTO_TCP, TCP_CORK, "TCP_CORK", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef TCP_DEFER_ACCEPT
    {IPPROTO_TCP, TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_FASTOPEN
    {IPPROTO_TCP, TCP_FASTOPEN, "TCP_FASTOPEN", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_FASTOPEN_CONNECT
    {IPPROTO_TCP, TCP_FASTOPEN_CONNECT, "TCP_FASTOPEN_CONNECT", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef TCP_INFO
    {IPPROTO_TCP, TCP_INFO, "TCP_INFO", OptKind::kTcpInfo, kReadOnly, 0},
#endif
#ifdef TCP_INQ
    {IPPROTO_TCP, TCP_INQ, "TCP_INQ", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef TCP_KEEPCNT
    {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_KEEPIDLE
    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_KEEPINTVL
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_LINGER2
    {IPPROTO_TCP, TCP_LINGER2, "TCP_LINGER2", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_MAXSEG
    {IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_NODELAY
    {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef TCP_NOTSENT_LOWAT
    {IPPROTO_TCP, TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT", OptKind::kUint, kReadWrite, 0},
#endif
#ifdef TCP_QUICKACK
    {IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef TCP_REPAIR
    {IPPROTO_TCP, TCP_REPAIR, "TCP_REPAIR", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_REPAIR_QUEUE
    {IPPROTO_TCP, TCP_REPAIR_QUEUE, "TCP_REPAIR_QUEUE", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_SYNCNT
    {IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef TCP_USER_TIMEOUT
    {IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", OptKind::kUint, kReadWrite, 0},
#endif
#ifdef TCP_WINDOW_CLAMP
    {IPPROTO_TCP, TCP_WINDOW_CLAMP, "TCP_WINDOW_CLAMP", OptKind::kInt, kReadWrite, 0},
#endif
    // IPPROTO_IP
#ifdef IP_ADD_MEMBERSHIP
    {IPPROTO_IP, IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP", OptKind::kMreqn, kWriteOnly, 0},
#endif
#ifdef IP_BIND_ADDRESS_NO_PORT
    {IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, "IP_BIND_ADDRESS_NO_PORT", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_DROP_MEMBERSHIP
    {IPPROTO_IP, IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP", OptKind::kMreqn, kWriteOnly, 0},
#endif
#ifdef IP_FREEBIND
    {IPPROTO_IP, IP_FREEBIND, "IP_FREEBIND", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_HDRINCL
    {IPPROTO_IP, IP_HDRINCL, "IP_HDRINCL", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_MTU
    {IPPROTO_IP, IP_MTU, "IP_MTU", OptKind::kInt, kReadOnly, 0},
#endif
#ifdef IP_MTU_DISCOVER
    {IPPROTO_IP, IP_MTU_DISCOVER, "IP_MTU_DISCOVER", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IP_MULTICAST_IF
    {IPPROTO_IP, IP_MULTICAST_IF, "IP_MULTICAST_IF", OptKind::kInAddr, kReadWrite, 0},
#endif
#ifdef IP_MULTICAST_LOOP
    {IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_MULTICAST_TTL
    {IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IP_PKTINFO
    {IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_RECVERR
    {IPPROTO_IP, IP_RECVERR, "IP_RECVERR", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_RECVTOS
    {IPPROTO_IP, IP_RECVTOS, "IP_RECVTOS", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_RECVTTL
    {IPPROTO_IP, IP_RECVTTL, "IP_RECVTTL", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_TOS
    {IPPROTO_IP, IP_TOS, "IP_TOS", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IP_TRANSPARENT
    {IPPROTO_IP, IP_TRANSPARENT, "IP_TRANSPARENT", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IP_TTL
    {IPPROTO_IP, IP_TTL, "IP_TTL", OptKind::kInt, kReadWrite, 0},
#endif
    // IPPROTO_IPV6
#ifdef IPV6_JOIN_GROUP
    {IPPROTO_IPV6, IPV6_JOIN_GROUP, "IPV6_JOIN_GROUP", OptKind::kMreq6, kWriteOnly, 0},
#endif
#ifdef IPV6_LEAVE_GROUP
    {IPPROTO_IPV6, IPV6_LEAVE_GROUP, "IPV6_LEAVE_GROUP", OptKind::kMreq6, kWriteOnly, 0},
#endif
#ifdef IPV6_MTU
    {IPPROTO_IPV6, IPV6_MTU, "IPV6_MTU", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IPV6_MULTICAST_HOPS
    {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IPV6_MULTICAST_IF
    {IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IPV6_MULTICAST_LOOP
    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IPV6_RECVERR
    {IPPROTO_IPV6, IPV6_RECVERR, "IPV6_RECVERR", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IPV6_RECVHOPLIMIT
    {IPPROTO_IPV6, IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IPV6_RECVPKTINFO
    {IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IPV6_RECVTCLASS
    {IPPROTO_IPV6, IPV6_RECVTCLASS, "IPV6_RECVTCLASS", OptKind::kBool, kReadWrite, 0},
#endif
#ifdef IPV6_TCLASS
    {IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IPV6_UNICAST_HOPS
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", OptKind::kInt, kReadWrite, 0},
#endif
#ifdef IPV6_V6ONLY
    {IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", OptKind::kBool, kReadWrite, 0},
#endif
};

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

const char* TcpStateName(int state) {
  // The names tcp(7) and ss(8) use, without the TCP_ prefix of the
  // netinet/tcp.h enumerators they come from.
  switch (state) {
    case TCP_ESTABLISHED:
      return "ESTABLISHED";
    case TCP_SYN_SENT:
      return "SYN_SENT";
    case TCP_SYN_RECV:
      return "SYN_RECV";
    case TCP_FIN_WAIT1:
      return "FIN_WAIT1";
    case TCP_FIN_WAIT2:
      return "FIN_WAIT2";
    case TCP_TIME_WAIT:
      return "TIME_WAIT";
    case TCP_CLOSE:
      return "CLOSE";
    case TCP_CLOSE_WAIT:
      return "CLOSE_WAIT";
    case TCP_LAST_ACK:
      return "LAST_ACK";
    case TCP_LISTEN:
      return "LISTEN";
    case TCP_CLOSING:
      return "CLOSING";
    default:
      return nullptr;
  }
}

}  // namespace ps
