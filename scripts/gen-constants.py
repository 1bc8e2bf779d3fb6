#!/usr/bin/env python3
"""Writes native/constants_{net,sys}.cc and lib/constants.ts from the one list below.

The names live here once; their values never do. The C++ file exports each
name only where the system headers define it (#ifdef), so the values are read
from the headers when the addon is built. The TypeScript file gives each name
its type and its place in the public API. Run after editing the list:
    python3 scripts/gen-constants.py
A test (test/constants.test.ts) checks that the two agree with the build.
"""
from pathlib import Path

GROUPS = [
    ("Address families: socket(2) `domain`", "AF_UNSPEC AF_UNIX AF_LOCAL AF_INET AF_INET6 AF_PACKET AF_NETLINK"),
    ("Socket types: socket(2) `type`, to OR with SOCK_NONBLOCK and SOCK_CLOEXEC",
     "SOCK_STREAM SOCK_DGRAM SOCK_RAW SOCK_SEQPACKET SOCK_RDM SOCK_NONBLOCK SOCK_CLOEXEC"),
    ("Protocols: socket(2) `protocol` and option levels",
     "IPPROTO_IP IPPROTO_ICMP IPPROTO_TCP IPPROTO_UDP IPPROTO_IPV6 IPPROTO_ICMPV6 IPPROTO_RAW IPPROTO_SCTP IPPROTO_UDPLITE IPPROTO_MPTCP"),
    ("Option levels: setsockopt(2) `level`", "SOL_SOCKET SOL_IP SOL_TCP SOL_UDP SOL_IPV6 SOL_PACKET SOL_RAW"),
    ("SOL_SOCKET options: socket(7)",
     "SO_ACCEPTCONN SO_BINDTODEVICE SO_BROADCAST SO_BUSY_POLL SO_COOKIE SO_DEBUG SO_DOMAIN SO_DONTROUTE SO_ERROR "
     "SO_INCOMING_CPU SO_INCOMING_NAPI_ID SO_KEEPALIVE SO_LINGER SO_MARK SO_OOBINLINE SO_PASSCRED SO_PEEK_OFF "
     "SO_PEERCRED SO_PRIORITY SO_PROTOCOL SO_RCVBUF SO_RCVBUFFORCE SO_RCVLOWAT SO_RCVTIMEO SO_REUSEADDR "
     "SO_REUSEPORT SO_RXQ_OVFL SO_SNDBUF SO_SNDBUFFORCE SO_SNDLOWAT SO_SNDTIMEO SO_TIMESTAMP SO_TIMESTAMPNS "
     "SO_TYPE SO_ZEROCOPY"),
    ("IPPROTO_TCP options: tcp(7)",
     "TCP_CONGESTION TCP_CORK TCP_DEFER_ACCEPT TCP_FASTOPEN TCP_FASTOPEN_CONNECT TCP_INFO TCP_INQ TCP_KEEPCNT "
     "TCP_KEEPIDLE TCP_KEEPINTVL TCP_LINGER2 TCP_MAXSEG TCP_NODELAY TCP_NOTSENT_LOWAT TCP_QUICKACK TCP_REPAIR "
     "TCP_REPAIR_QUEUE TCP_NO_QUEUE TCP_RECV_QUEUE TCP_SEND_QUEUE TCP_SYNCNT TCP_USER_TIMEOUT TCP_WINDOW_CLAMP"),
    ("IPPROTO_IP options: ip(7)",
     "IP_ADD_MEMBERSHIP IP_BIND_ADDRESS_NO_PORT IP_DROP_MEMBERSHIP IP_FREEBIND IP_HDRINCL IP_MTU IP_MTU_DISCOVER "
     "IP_MULTICAST_IF IP_MULTICAST_LOOP IP_MULTICAST_TTL IP_OPTIONS IP_PKTINFO IP_PMTUDISC_DO IP_PMTUDISC_DONT "
     "IP_PMTUDISC_PROBE IP_PMTUDISC_WANT IP_RECVERR IP_RECVTOS IP_RECVTTL IP_TOS IP_TRANSPARENT IP_TTL"),
    ("IPPROTO_IPV6 options: ipv6(7)",
     "IPV6_ADD_MEMBERSHIP IPV6_DROP_MEMBERSHIP IPV6_HOPLIMIT IPV6_JOIN_GROUP IPV6_LEAVE_GROUP IPV6_MTU "
     "IPV6_MULTICAST_HOPS IPV6_MULTICAST_IF IPV6_MULTICAST_LOOP IPV6_PKTINFO IPV6_RECVERR IPV6_RECVHOPLIMIT "
     "IPV6_RECVPKTINFO IPV6_RECVTCLASS IPV6_TCLASS IPV6_UNICAST_HOPS IPV6_V6ONLY"),
    ("Message flags: send(2), recv(2), sendmsg(2), recvmsg(2)",
     "MSG_BATCH MSG_CMSG_CLOEXEC MSG_CONFIRM MSG_CTRUNC MSG_DONTROUTE MSG_DONTWAIT MSG_EOR MSG_ERRQUEUE "
     "MSG_FASTOPEN MSG_MORE MSG_NOSIGNAL MSG_OOB MSG_PEEK MSG_TRUNC MSG_WAITALL MSG_WAITFORONE MSG_ZEROCOPY"),
    ("Ancillary message types: cmsg(3), unix(7)", "SCM_CREDENTIALS SCM_RIGHTS SCM_TIMESTAMP SCM_TIMESTAMPNS"),
    ("shutdown(2) `how`", "SHUT_RD SHUT_WR SHUT_RDWR"),
    ("Limits and special addresses", "SOMAXCONN INADDR_ANY INADDR_LOOPBACK INADDR_BROADCAST INADDR_NONE IFNAMSIZ IOV_MAX"),
    ("File status and descriptor flags: fcntl(2), pipe2(2), eventfd(2)",
     "O_NONBLOCK O_CLOEXEC FD_CLOEXEC F_GETFL F_SETFL F_GETFD F_SETFD EFD_CLOEXEC EFD_NONBLOCK EFD_SEMAPHORE"),
    ("ioctl(2) requests: socket(7), tcp(7), udp(7)", "FIONREAD FIONBIO SIOCINQ SIOCOUTQ SIOCOUTQNSD"),
    ("epoll: epoll_create1(2), epoll_ctl(2)",
     "EPOLL_CLOEXEC EPOLL_CTL_ADD EPOLL_CTL_DEL EPOLL_CTL_MOD EPOLLIN EPOLLPRI EPOLLOUT EPOLLRDNORM EPOLLRDBAND "
     "EPOLLWRNORM EPOLLWRBAND EPOLLMSG EPOLLERR EPOLLHUP EPOLLRDHUP EPOLLEXCLUSIVE EPOLLWAKEUP EPOLLONESHOT EPOLLET"),
    ("poll(2) events", "POLLIN POLLPRI POLLOUT POLLERR POLLHUP POLLNVAL POLLRDNORM POLLRDBAND POLLWRNORM POLLWRBAND POLLRDHUP"),
    ("Raw and packet sockets: raw(7), packet(7), icmp(7)", "ETH_P_ALL ETH_P_IP ETH_P_IPV6 ICMP_ECHO ICMP_ECHOREPLY PACKET_HOST PACKET_OUTGOING"),
    ("Error numbers: errno(3)",
     "EACCES EADDRINUSE EADDRNOTAVAIL EAFNOSUPPORT EAGAIN EALREADY EBADF EBADFD ECONNABORTED ECONNREFUSED "
     "ECONNRESET EDESTADDRREQ EEXIST EFAULT EHOSTDOWN EHOSTUNREACH EINPROGRESS EINTR EINVAL EIO EISCONN "
     "ELOOP EMFILE EMSGSIZE ENAMETOOLONG ENETDOWN ENETRESET ENETUNREACH ENFILE ENOBUFS ENODEV ENOENT ENOMEM "
     "ENOPROTOOPT ENOSPC ENOSYS ENOTCONN ENOTSOCK ENOTSUP ENOTTY EOPNOTSUPP EPERM EPIPE EPROTO EPROTONOSUPPORT "
     "EPROTOTYPE ERANGE ESHUTDOWN ESOCKTNOSUPPORT ETIMEDOUT ETOOMANYREFS EWOULDBLOCK"),
]

HEADERS = """#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>"""

# The address families are the discriminants of lib/address.ts's Sockaddr
# union, so TypeScript needs them as literal types. Linux's values are ABI
# and never change; the value still comes from the addon at run time, and
# test/constants.test.ts fails if it ever differs from the type given here.
LITERAL_TYPES = {"AF_UNSPEC": 0, "AF_UNIX": 1, "AF_LOCAL": 1, "AF_INET": 2, "AF_INET6": 10, "AF_PACKET": 17}

# Names that are enumerators, not macros, so #ifdef cannot see them: each is
# guarded by the macro that came with it in the same header.
ENUM_GUARDS = {"TCP_NO_QUEUE": "TCP_REPAIR_QUEUE", "TCP_RECV_QUEUE": "TCP_REPAIR_QUEUE",
               "TCP_SEND_QUEUE": "TCP_REPAIR_QUEUE"}

root = Path(__file__).resolve().parent.parent
# Two generated C++ files, so neither grows past what one reads at a sitting:
# socket creation and options, and the rest (messages, fds, epoll, errno).
SPLIT = "Message flags: send(2), recv(2), sendmsg(2), recvmsg(2)"
CC_FILES = [("native/constants_net.cc", "SetNetConstants"), ("native/constants_sys.cc", "SetSystemConstants")]


def cc_head(fn):
    return [
        "// Generated by scripts/gen-constants.py from its list of names: edit the",
        "// list there, not this file. Each name is exported only where the system",
        "// headers define it, with the value they give it, so nothing is typed by hand.",
        HEADERS,
        "",
        '#include "constants.h"',
        "",
        "namespace ps {",
        "",
        f"void {fn}(napi_env env, napi_value c) {{",
    ]


cc_parts = [cc_head(fn) for _, fn in CC_FILES]
part = 0
ts = [
    "// Generated by scripts/gen-constants.py: edit the list there, not this file.",
    "// Every value comes from the system headers through the addon at build time;",
    "// a name the headers of the build machine lack is `undefined` at run time.",
    "import { native } from './native.js';",
    "",
    "const c = native.constants as Readonly<Record<string, number>>;",
    "",
    "/** Every constant the addon was built with, by name (only those the headers define). */",
    "export const constants: Readonly<Record<string, number>> = c;",
    "",
]
for title, names in GROUPS:
    if title == SPLIT:
        part = 1
    cc = cc_parts[part]
    cc.append(f"  // {title}")
    ts.append(f"// {title}")
    for n in names.split():
        cc += [f"#ifdef {ENUM_GUARDS.get(n, n)}", f"  Set(env, c, \"{n}\", {n});", "#endif"]
    ns = [n for n in names.split() if n not in LITERAL_TYPES]
    for n in names.split():
        if n in LITERAL_TYPES:
            ts.append(f"export const {n} = c.{n} as {LITERAL_TYPES[n]};")
    if not ns:
        ts.append("")
        continue
    ts.append("export const {")
    line = " "
    for n in ns:
        if len(line) + len(n) + 2 > 100:
            ts.append(line.rstrip())
            line = " "
        line += f" {n},"
    ts.append(line.rstrip())
    ts.append("} = c;")
    ts.append("")
for (path, _), cc in zip(CC_FILES, cc_parts):
    cc += ["}", "", "}  // namespace ps", ""]
    (root / path).write_text("\n".join(cc))
(root / "lib/constants.ts").write_text("\n".join(ts))
# The names, for the test that keeps the three in step.
(root / "test/constant-names.json").write_text(
    "[\n" + ",\n".join(f'  "{n}"' for _, names in GROUPS for n in names.split()) + "\n]\n")
(root / "test/constant-literals.json").write_text(
    "{\n" + ",\n".join(f'  "{k}": {v}' for k, v in LITERAL_TYPES.items()) + "\n}\n")
