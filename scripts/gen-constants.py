#!/usr/bin/env python3
"""Writes native/constants_libc.cc, native/constants_uapi.cc and lib/constants.ts from the one list below.

The names live here once; their values never do. The C++ files export each
name only where the system headers define it (#ifdef), so the values are read
from the headers when the addon is built: glibc's headers first, and then,
for a name an older glibc lacks, the kernel's own uapi headers (<linux/...>),
which cannot be included beside glibc's in one file. The TypeScript file gives each name
its type and its place in the public API. Run after editing the list:
    python3 scripts/gen-constants.py
A test (test/constants.test.ts) checks that the two agree with the build.

The socket options of the typed table (native/sockopt_table.cc, one PS_OPT
row each) get a branded type in lib/constants.ts, `Opt<'SO_KEEPALIVE'>`, and
their levels `Level<'SOL_SOCKET'>`, so that getsockopt and setsockopt can
type each option's value (lib/sockopt.ts). The rows are read from that file
(run this script after editing it); test/sockopt.types.test.ts holds the
result to the built table.
"""
import re
import textwrap
from pathlib import Path

GROUPS = [
    ("Address families: socket(2) `domain`", "AF_UNSPEC AF_UNIX AF_LOCAL AF_INET AF_INET6 AF_PACKET AF_NETLINK AF_VSOCK AF_XDP AF_ALG AF_TIPC"),
    ("Protocol families: PF_*, the same numbers as AF_*",
     "PF_UNSPEC PF_UNIX PF_LOCAL PF_INET PF_INET6 PF_PACKET PF_NETLINK PF_VSOCK"),
    ("Socket types: socket(2) `type`, to OR with SOCK_NONBLOCK and SOCK_CLOEXEC",
     "SOCK_STREAM SOCK_DGRAM SOCK_RAW SOCK_SEQPACKET SOCK_RDM SOCK_NONBLOCK SOCK_CLOEXEC"),
    ("Protocols: socket(2) `protocol` and option levels",
     "IPPROTO_IP IPPROTO_ICMP IPPROTO_TCP IPPROTO_UDP IPPROTO_IPV6 IPPROTO_ICMPV6 IPPROTO_RAW IPPROTO_SCTP IPPROTO_UDPLITE IPPROTO_MPTCP"),
    ("Option levels: setsockopt(2) `level`", "SOL_SOCKET SOL_IP SOL_TCP SOL_UDP SOL_IPV6 SOL_PACKET SOL_RAW SOL_XDP SOL_ALG"),
    ("SOL_SOCKET options: socket(7)",
     "SO_ACCEPTCONN SO_BINDTODEVICE SO_BROADCAST SO_BUSY_POLL SO_COOKIE SO_DEBUG SO_DOMAIN SO_DONTROUTE SO_ERROR "
     "SO_INCOMING_CPU SO_INCOMING_NAPI_ID SO_KEEPALIVE SO_LINGER SO_MARK SO_OOBINLINE SO_PASSCRED SO_PEEK_OFF "
     "SO_PEERCRED SO_PRIORITY SO_PROTOCOL SO_RCVBUF SO_RCVBUFFORCE SO_RCVLOWAT SO_RCVTIMEO SO_REUSEADDR "
     "SO_REUSEPORT SO_RXQ_OVFL SO_SNDBUF SO_SNDBUFFORCE SO_SNDLOWAT SO_SNDTIMEO SO_TIMESTAMP SO_TIMESTAMPNS "
     "SO_TYPE SO_ZEROCOPY SO_BINDTOIFINDEX SO_TXTIME SO_PREFER_BUSY_POLL SO_BUSY_POLL_BUDGET SO_TIMESTAMPING "
     "SO_SELECT_ERR_QUEUE SO_MAX_PACING_RATE SO_PASSSEC SO_PEERSEC SO_LOCK_FILTER SO_NOFCS SO_ATTACH_FILTER "
     "SO_DETACH_FILTER SO_ATTACH_REUSEPORT_CBPF SO_ATTACH_REUSEPORT_EBPF SO_WIFI_STATUS SO_PEERGROUPS SO_NETNS_COOKIE "
     "SO_RESERVE_MEM SO_RCVMARK"),
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
    ("IPPROTO_UDP options: udp(7), UDP GSO and GRO",
     "UDP_CORK UDP_ENCAP UDP_NO_CHECK6_TX UDP_NO_CHECK6_RX UDP_SEGMENT UDP_GRO"),
    ("Message flags: send(2), recv(2), sendmsg(2), recvmsg(2)",
     "MSG_BATCH MSG_CMSG_CLOEXEC MSG_CONFIRM MSG_CTRUNC MSG_DONTROUTE MSG_DONTWAIT MSG_EOR MSG_ERRQUEUE "
     "MSG_FASTOPEN MSG_MORE MSG_NOSIGNAL MSG_OOB MSG_PEEK MSG_TRUNC MSG_WAITALL MSG_WAITFORONE MSG_ZEROCOPY MSG_RST MSG_SYN MSG_FIN"),
    ("Ancillary message types: cmsg(3), unix(7)", "SCM_CREDENTIALS SCM_RIGHTS SCM_TIMESTAMP SCM_TIMESTAMPNS SCM_TIMESTAMPING SCM_TXTIME TCP_CM_INQ"),
    ("shutdown(2) `how`", "SHUT_RD SHUT_WR SHUT_RDWR"),
    ("Limits and special addresses", "SOMAXCONN INADDR_ANY INADDR_LOOPBACK INADDR_BROADCAST INADDR_NONE IFNAMSIZ IOV_MAX"),
    ("File status and descriptor flags: fcntl(2), pipe2(2), eventfd(2)",
     "O_NONBLOCK O_CLOEXEC O_DIRECT FD_CLOEXEC F_DUPFD F_DUPFD_CLOEXEC F_GETFL F_SETFL F_GETFD F_SETFD F_GETOWN F_SETOWN "
     "F_GETSIG F_SETSIG F_GETPIPE_SZ F_SETPIPE_SZ EFD_CLOEXEC EFD_NONBLOCK EFD_SEMAPHORE"),
    ("ioctl(2) requests: socket(7), tcp(7), udp(7)", "FIONREAD FIONBIO SIOCINQ SIOCOUTQ SIOCOUTQNSD"),
    ("epoll: epoll_create1(2), epoll_ctl(2)",
     "EPOLL_CLOEXEC EPOLL_CTL_ADD EPOLL_CTL_DEL EPOLL_CTL_MOD EPOLLIN EPOLLPRI EPOLLOUT EPOLLRDNORM EPOLLRDBAND "
     "EPOLLWRNORM EPOLLWRBAND EPOLLMSG EPOLLERR EPOLLHUP EPOLLRDHUP EPOLLEXCLUSIVE EPOLLWAKEUP EPOLLONESHOT EPOLLET"),
    ("getaddrinfo(3) and getnameinfo(3) errors (negative on Linux; EAI_SYSTEM means: see errno)",
     "EAI_BADFLAGS EAI_NONAME EAI_AGAIN EAI_FAIL EAI_FAMILY EAI_SOCKTYPE EAI_SERVICE EAI_MEMORY EAI_SYSTEM "
     "EAI_OVERFLOW EAI_NODATA EAI_ADDRFAMILY EAI_INPROGRESS EAI_CANCELED EAI_NOTCANCELED EAI_ALLDONE EAI_INTR "
     "EAI_IDN_ENCODE"),
    ("getaddrinfo(3) `hints.ai_flags`", "AI_PASSIVE AI_CANONNAME AI_NUMERICHOST AI_NUMERICSERV AI_ADDRCONFIG AI_V4MAPPED AI_ALL"),
    ("getnameinfo(3) `flags` and buffer sizes", "NI_NUMERICHOST NI_NUMERICSERV NI_NOFQDN NI_NAMEREQD NI_DGRAM NI_MAXHOST NI_MAXSERV"),
    ("poll(2) events", "POLLIN POLLPRI POLLOUT POLLERR POLLHUP POLLNVAL POLLRDNORM POLLRDBAND POLLWRNORM POLLWRBAND POLLRDHUP"),
    ("select(2): the number of fds an fd_set holds", "FD_SETSIZE"),
    # The signal numbers of signal(7), for the sigmask of pselect, ppoll,
    # epoll_pwait, sigprocmask and signalfd. SIGRTMIN and SIGRTMAX are left out: glibc makes them calls
    # (it keeps the first real-time signals for itself), not constants.
    ("Signals: signal(7)",
     "SIGHUP SIGINT SIGQUIT SIGILL SIGTRAP SIGABRT SIGBUS SIGFPE SIGKILL SIGUSR1 SIGSEGV SIGUSR2 SIGPIPE SIGALRM "
     "SIGTERM SIGSTKFLT SIGCHLD SIGCONT SIGSTOP SIGTSTP SIGTTIN SIGTTOU SIGURG SIGXCPU SIGXFSZ SIGVTALRM SIGPROF "
     "SIGWINCH SIGIO SIGPOLL SIGPWR SIGSYS"),
    ("Raw and packet sockets: raw(7), packet(7), icmp(7)", "ETH_P_ALL ETH_P_IP ETH_P_IPV6 ETH_P_ARP ICMP_ECHO ICMP_ECHOREPLY PACKET_HOST PACKET_BROADCAST PACKET_MULTICAST "
     "PACKET_OTHERHOST PACKET_OUTGOING PACKET_ADD_MEMBERSHIP PACKET_DROP_MEMBERSHIP PACKET_MR_PROMISC PACKET_MR_MULTICAST "
     "PACKET_MR_ALLMULTI PACKET_STATISTICS PACKET_AUXDATA PACKET_VERSION PACKET_FANOUT PACKET_FANOUT_HASH PACKET_FANOUT_LB "
     "PACKET_FANOUT_CPU PACKET_IGNORE_OUTGOING PACKET_QDISC_BYPASS"),
    ("Clocks and timerfd flags: clock_gettime(2), timerfd_create(2)",
     "CLOCK_REALTIME CLOCK_MONOTONIC CLOCK_BOOTTIME CLOCK_REALTIME_ALARM CLOCK_BOOTTIME_ALARM "
     "TFD_NONBLOCK TFD_CLOEXEC TFD_TIMER_ABSTIME TFD_TIMER_CANCEL_ON_SET"),
    ("Signal masks and signalfd: sigprocmask(2), signalfd(2), sigaction(2) `si_code`",
     "SIG_BLOCK SIG_UNBLOCK SIG_SETMASK SFD_NONBLOCK SFD_CLOEXEC SI_USER SI_KERNEL SI_QUEUE SI_TIMER SI_TKILL"),
    ("Zero-copy transfers: splice(2), tee(2)", "SPLICE_F_MOVE SPLICE_F_NONBLOCK SPLICE_F_MORE SPLICE_F_GIFT"),
    # Every name of the kernel's asm-generic/errno-base.h and errno.h, in
    # their order, so errnoName knows each number the kernel can return. The
    # last three are second names for numbers listed before them.
    ("Error numbers: errno(3)",
     "EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT ENOTBLK EBUSY "
     "EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK "
     "EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY ELOOP ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT "
     "EL3RST ELNRNG EUNATCH ENOCSI EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT EBFONT ENOSTR ENODATA ETIME "
     "ENOSR ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM EPROTO EMULTIHOP EDOTDOT EBADMSG EOVERFLOW ENOTUNIQ "
     "EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC EILSEQ ERESTART ESTRPIPE EUSERS ENOTSOCK "
     "EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT "
     "EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS "
     "EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY "
     "EINPROGRESS ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE ECANCELED ENOKEY "
     "EKEYEXPIRED EKEYREVOKED EKEYREJECTED EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON EWOULDBLOCK EDEADLOCK "
     "ENOTSUP"),
    # io_uring: only the kernel's <linux/io_uring.h> has these (no glibc
    # header does), so they are generated into constants_uapi.cc alone.
    ("io_uring_setup(2) flags and features",
     "IORING_SETUP_IOPOLL IORING_SETUP_SQPOLL IORING_SETUP_SQ_AFF IORING_SETUP_CQSIZE IORING_SETUP_CLAMP "
     "IORING_SETUP_ATTACH_WQ IORING_SETUP_R_DISABLED IORING_SETUP_SUBMIT_ALL IORING_SETUP_COOP_TASKRUN "
     "IORING_SETUP_TASKRUN_FLAG IORING_SETUP_SQE128 IORING_SETUP_CQE32 IORING_SETUP_SINGLE_ISSUER "
     "IORING_SETUP_DEFER_TASKRUN IORING_FEAT_SINGLE_MMAP IORING_FEAT_NODROP IORING_FEAT_SUBMIT_STABLE "
     "IORING_FEAT_RW_CUR_POS IORING_FEAT_CUR_PERSONALITY IORING_FEAT_FAST_POLL IORING_FEAT_POLL_32BITS "
     "IORING_FEAT_SQPOLL_NONFIXED IORING_FEAT_EXT_ARG IORING_FEAT_NATIVE_WORKERS IORING_FEAT_RSRC_TAGS "
     "IORING_FEAT_CQE_SKIP IORING_FEAT_LINKED_FILE IORING_SQ_NEED_WAKEUP IORING_SQ_CQ_OVERFLOW IORING_SQ_TASKRUN "
     "IORING_CQ_EVENTFD_DISABLED IORING_OFF_SQ_RING IORING_OFF_CQ_RING IORING_OFF_SQES"),
    ("io_uring_enter(2) flags", "IORING_ENTER_GETEVENTS IORING_ENTER_SQ_WAKEUP IORING_ENTER_SQ_WAIT IORING_ENTER_EXT_ARG"),
    ("io_uring_enter(2) opcodes: enum io_uring_op",
     "IORING_OP_NOP IORING_OP_READV IORING_OP_WRITEV IORING_OP_READ_FIXED IORING_OP_WRITE_FIXED IORING_OP_POLL_ADD IORING_OP_POLL_REMOVE IORING_OP_SENDMSG "
     "IORING_OP_RECVMSG IORING_OP_TIMEOUT IORING_OP_TIMEOUT_REMOVE IORING_OP_ACCEPT IORING_OP_ASYNC_CANCEL "
     "IORING_OP_LINK_TIMEOUT IORING_OP_CONNECT IORING_OP_CLOSE IORING_OP_READ IORING_OP_WRITE IORING_OP_SEND "
     "IORING_OP_RECV IORING_OP_SHUTDOWN IORING_OP_SOCKET IORING_OP_SEND_ZC IORING_OP_SENDMSG_ZC IORING_OP_LAST"),
    ("io_uring SQE flags and per-opcode flags: io_uring_enter(2)",
     "IOSQE_FIXED_FILE IOSQE_IO_DRAIN IOSQE_IO_LINK IOSQE_IO_HARDLINK IOSQE_ASYNC IOSQE_BUFFER_SELECT "
     "IOSQE_CQE_SKIP_SUCCESS IORING_FILE_INDEX_ALLOC IORING_TIMEOUT_ABS IORING_TIMEOUT_UPDATE IORING_TIMEOUT_BOOTTIME "
     "IORING_TIMEOUT_REALTIME IORING_TIMEOUT_ETIME_SUCCESS IORING_POLL_ADD_MULTI IORING_POLL_UPDATE_EVENTS "
     "IORING_POLL_UPDATE_USER_DATA IORING_POLL_ADD_LEVEL IORING_ASYNC_CANCEL_ALL IORING_ASYNC_CANCEL_FD "
     "IORING_ASYNC_CANCEL_ANY IORING_ASYNC_CANCEL_FD_FIXED IORING_RECVSEND_POLL_FIRST IORING_RECV_MULTISHOT "
     "IORING_RECVSEND_FIXED_BUF IORING_RECVSEND_BUNDLE IORING_SEND_ZC_REPORT_USAGE IORING_NOTIF_USAGE_ZC_COPIED IORING_ACCEPT_MULTISHOT"),
    ("io_uring CQE flags: io_uring_enter(2)",
     "IORING_CQE_F_BUFFER IORING_CQE_F_MORE IORING_CQE_F_SOCK_NONEMPTY IORING_CQE_F_NOTIF IORING_CQE_F_BUF_MORE "
     "IORING_CQE_BUFFER_SHIFT"),
    ("io_uring_register(2) opcodes",
     "IORING_REGISTER_BUFFERS IORING_UNREGISTER_BUFFERS IORING_REGISTER_FILES IORING_UNREGISTER_FILES "
     "IORING_REGISTER_EVENTFD IORING_UNREGISTER_EVENTFD IORING_REGISTER_FILES_UPDATE IORING_REGISTER_EVENTFD_ASYNC "
     "IORING_REGISTER_PROBE IORING_REGISTER_FILES2 IORING_REGISTER_FILES_UPDATE2 IORING_REGISTER_PBUF_RING "
     "IORING_UNREGISTER_PBUF_RING IOU_PBUF_RING_INC IORING_REGISTER_SYNC_CANCEL IORING_REGISTER_FILE_ALLOC_RANGE "
     "IORING_RSRC_REGISTER_SPARSE IORING_REGISTER_FILES_SKIP IO_URING_OP_SUPPORTED"),
]

HEADERS = """#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>"""

# The address families are the discriminants of lib/address.ts's Sockaddr
# union, so TypeScript needs them as literal types. Linux's values are ABI
# and never change; the value still comes from the addon at run time, and
# test/constants.test.ts fails if it ever differs from the type given here.
LITERAL_TYPES = {"AF_UNSPEC": 0, "AF_UNIX": 1, "AF_LOCAL": 1, "AF_INET": 2, "AF_INET6": 10, "AF_PACKET": 17}

# Names that are enumerators, not macros, so #ifdef cannot see them: each is
# guarded by the macro that came with it in the same header.
ENUM_GUARDS = {"IOU_PBUF_RING_INC": "IORING_CQE_F_BUF_MORE", "TCP_NO_QUEUE": "TCP_REPAIR_QUEUE", "TCP_RECV_QUEUE": "TCP_REPAIR_QUEUE",
               "TCP_SEND_QUEUE": "TCP_REPAIR_QUEUE"}

# Names of <linux/io_uring.h> that are enumerators: #ifdef cannot see them, and
# no macro came with each, so each is guarded by the release of the kernel
# headers that first declared it (LINUX_VERSION_CODE of <linux/version.h>).
ENUM_SINCE = {
    "IORING_OP_NOP": "5.1", "IORING_OP_READV": "5.1", "IORING_OP_WRITEV": "5.1", "IORING_OP_POLL_ADD": "5.1",
    "IORING_OP_POLL_REMOVE": "5.1", "IORING_OP_READ_FIXED": "5.1", "IORING_OP_WRITE_FIXED": "5.1",
    "IORING_OP_SENDMSG": "5.3", "IORING_OP_RECVMSG": "5.3",
    "IORING_OP_TIMEOUT": "5.4", "IORING_OP_TIMEOUT_REMOVE": "5.5", "IORING_OP_ACCEPT": "5.5",
    "IORING_OP_ASYNC_CANCEL": "5.5", "IORING_OP_LINK_TIMEOUT": "5.5", "IORING_OP_CONNECT": "5.5",
    "IORING_OP_CLOSE": "5.6", "IORING_OP_READ": "5.6", "IORING_OP_WRITE": "5.6", "IORING_OP_SEND": "5.6",
    "IORING_OP_RECV": "5.6", "IORING_OP_SHUTDOWN": "5.11", "IORING_OP_SOCKET": "5.19",
    "IORING_OP_SEND_ZC": "6.0", "IORING_OP_SENDMSG_ZC": "6.1", "IORING_OP_LAST": "5.1",
    "IORING_CQE_BUFFER_SHIFT": "5.7",
    "IORING_REGISTER_BUFFERS": "5.1", "IORING_UNREGISTER_BUFFERS": "5.1", "IORING_REGISTER_FILES": "5.1",
    "IORING_UNREGISTER_FILES": "5.1", "IORING_REGISTER_EVENTFD": "5.1", "IORING_UNREGISTER_EVENTFD": "5.1",
    "IORING_REGISTER_FILES_UPDATE": "5.5", "IORING_REGISTER_EVENTFD_ASYNC": "5.6", "IORING_REGISTER_PROBE": "5.6",
    "IORING_REGISTER_FILES2": "5.13", "IORING_REGISTER_FILES_UPDATE2": "5.13", "IORING_REGISTER_PBUF_RING": "5.19",
    "IORING_UNREGISTER_PBUF_RING": "5.19", "IORING_REGISTER_SYNC_CANCEL": "6.0",
    "IORING_REGISTER_FILE_ALLOC_RANGE": "6.0",
}

# Groups that no glibc header defines: generated into constants_uapi.cc only.
UAPI_ONLY = {t for t, _ in GROUPS if "io_uring" in t}

# The kernel's uapi headers that define the names of a group, for the names
# the build's glibc lacks (a glibc older than the kernel headers installed).
UAPI = {
    "SOL_SOCKET options: socket(7)": ["asm/socket.h"],
    "IPPROTO_TCP options: tcp(7)": ["linux/tcp.h"],
    "IPPROTO_UDP options: udp(7), UDP GSO and GRO": ["linux/udp.h"],
    "epoll: epoll_create1(2), epoll_ctl(2)": ["linux/eventpoll.h"],
    "Error numbers: errno(3)": ["linux/errno.h"],
    **{t: ["linux/io_uring.h", "linux/version.h"] for t in UAPI_ONLY},
}

# The Linux release each newer name arrived in, as its man page says: where
# a name is `undefined`, the headers the addon was built with predate it.
SINCE = {
    "AF_VSOCK": "3.9", "AF_XDP": "4.18", "AF_ALG": "2.6.38", "IPPROTO_MPTCP": "5.6",
    "SOCK_NONBLOCK": "2.6.27", "SOCK_CLOEXEC": "2.6.27",
    "SO_REUSEPORT": "3.9", "SO_BUSY_POLL": "3.11", "SO_INCOMING_CPU": "3.19", "SO_INCOMING_NAPI_ID": "4.12",
    "SO_PEEK_OFF": "3.4", "SO_RXQ_OVFL": "2.6.33", "SO_DOMAIN": "2.6.32", "SO_PROTOCOL": "2.6.32",
    "SO_MARK": "2.6.25", "SO_RCVBUFFORCE": "2.6.14", "SO_SNDBUFFORCE": "2.6.14", "SO_ZEROCOPY": "4.14",
    "SO_PREFER_BUSY_POLL": "5.11", "SO_BUSY_POLL_BUDGET": "5.11", "SO_BINDTOIFINDEX": "5.0", "SO_TXTIME": "4.19",
    "SO_NETNS_COOKIE": "5.14", "SO_RESERVE_MEM": "5.16",
    "SO_RCVMARK": "6.0", "SO_PEERGROUPS": "4.13", "SO_SELECT_ERR_QUEUE": "3.10", "SO_MAX_PACING_RATE": "3.13",
    "SO_LOCK_FILTER": "3.9",
    "TCP_CONGESTION": "2.6.13", "TCP_FASTOPEN": "3.7", "TCP_FASTOPEN_CONNECT": "4.11", "TCP_INQ": "4.18", "TCP_CM_INQ": "4.18",
    "TCP_NOTSENT_LOWAT": "3.12", "TCP_REPAIR": "3.5", "TCP_USER_TIMEOUT": "2.6.37", "TCP_ULP": "4.13",
    "TCP_ZEROCOPY_RECEIVE": "4.18", "TCP_TX_DELAY": "5.3", "TCP_SAVE_SYN": "4.2", "TCP_CC_INFO": "4.1",
    "TCP_FASTOPEN_KEY": "4.10", "TCP_FASTOPEN_NO_COOKIE": "4.15", "TCP_REPAIR_WINDOW": "4.8",
    "TCP_THIN_LINEAR_TIMEOUTS": "2.6.34", "TCP_THIN_DUPACK": "2.6.34",
    "IP_BIND_ADDRESS_NO_PORT": "4.2", "IP_TRANSPARENT": "2.6.24", "IP_PMTUDISC_PROBE": "2.6.22",
    "UDP_SEGMENT": "4.18", "UDP_GRO": "5.0", "UDP_NO_CHECK6_TX": "3.16", "UDP_NO_CHECK6_RX": "3.16",
    "MSG_ZEROCOPY": "4.14", "MSG_FASTOPEN": "3.7", "MSG_WAITFORONE": "2.6.34", "MSG_CMSG_CLOEXEC": "2.6.23",
    "SCM_TXTIME": "4.19",
    "F_DUPFD_CLOEXEC": "2.6.24", "F_SETPIPE_SZ": "2.6.35", "F_GETPIPE_SZ": "2.6.35",
    "EFD_CLOEXEC": "2.6.27", "EFD_NONBLOCK": "2.6.27", "EFD_SEMAPHORE": "2.6.30",
    "EPOLL_CLOEXEC": "2.6.27", "EPOLLRDHUP": "2.6.17", "EPOLLWAKEUP": "3.5", "EPOLLEXCLUSIVE": "4.5",
    "CLOCK_BOOTTIME": "2.6.39", "CLOCK_REALTIME_ALARM": "3.0", "CLOCK_BOOTTIME_ALARM": "3.0",
    "TFD_NONBLOCK": "2.6.27", "TFD_CLOEXEC": "2.6.27", "TFD_TIMER_CANCEL_ON_SET": "4.10",
    "SFD_NONBLOCK": "2.6.27", "SFD_CLOEXEC": "2.6.27",
    "PACKET_FANOUT": "3.1", "PACKET_QDISC_BYPASS": "3.14", "PACKET_IGNORE_OUTGOING": "4.20",
    "IORING_SETUP_CQSIZE": "5.5", "IORING_SETUP_CLAMP": "5.6", "IORING_SETUP_R_DISABLED": "5.10",
    "IORING_SETUP_SUBMIT_ALL": "5.18", "IORING_SETUP_COOP_TASKRUN": "5.19", "IORING_SETUP_TASKRUN_FLAG": "5.19",
    "IORING_SETUP_SQE128": "5.19", "IORING_SETUP_CQE32": "5.19", "IORING_SETUP_SINGLE_ISSUER": "6.0",
    "IORING_SETUP_DEFER_TASKRUN": "6.1", "IORING_FEAT_NATIVE_WORKERS": "5.12", "IORING_FEAT_CQE_SKIP": "5.17",
    "IORING_FEAT_LINKED_FILE": "5.17", "IORING_ENTER_EXT_ARG": "5.11", "IORING_RECV_MULTISHOT": "6.0",
    "IORING_ACCEPT_MULTISHOT": "5.19", "IORING_POLL_ADD_MULTI": "5.13", "IORING_ASYNC_CANCEL_ANY": "5.19",
    "IORING_RECVSEND_POLL_FIRST": "5.19", "IORING_RECVSEND_FIXED_BUF": "6.0", "IORING_CQE_F_NOTIF": "6.0",
    "IOSQE_CQE_SKIP_SUCCESS": "5.17", "IORING_SEND_ZC_REPORT_USAGE": "6.2",
    # native/uring_compat.h defines these where the headers predate them.
    "IORING_RECVSEND_BUNDLE": "6.10", "IORING_CQE_F_BUF_MORE": "6.12", "IOU_PBUF_RING_INC": "6.12",
    **{n: v for n, v in ENUM_SINCE.items()},
}

# Second names for one number: errnoName gives the first name of the list.
ALIASES = {"EWOULDBLOCK": "EAGAIN", "EDEADLOCK": "EDEADLK", "ENOTSUP": "EOPNOTSUPP"}

root = Path(__file__).resolve().parent.parent

# The typed table's rows: (level, name, kind, access), kind and access named
# as socketOptions() names them (native/sockopt.cc, KindName).
KINDS = {"kBool": "bool", "kInt": "int", "kUint": "uint", "kLinger": "linger", "kTimeval": "timeval",
         "kMreqn": "ip_mreqn", "kMreq6": "ipv6_mreq", "kInAddr": "in_addr", "kString": "string",
         "kUcred": "ucred", "kU64": "uint64", "kTcpInfo": "tcp_info"}
ACCESS = {"kReadWrite": "rw", "kReadOnly": "r", "kWriteOnly": "w"}
TABLE_ROWS = re.findall(r"^ +PS_OPT\(.*$", (root / "native/sockopt_table.cc").read_text(), re.M)
OPTIONS = []
for row in TABLE_ROWS:
    m = re.fullmatch(r" +PS_OPT\((\w+), (\w+), (\w+), (\w+), \w+\),", row)
    if m is None:
        raise SystemExit(f"native/sockopt_table.cc: a PS_OPT row this script cannot read: {row.strip()}")
    OPTIONS.append((m[1], m[2], KINDS[m[3]], ACCESS[m[4]]))
OPTION_NAMES = {name for _, name, _, _ in OPTIONS}
# A level's brand is the name the table writes it with; SOL_TCP and the other
# SOL_ aliases are the same numbers (test/sockopt.types.test.ts checks that).
LEVEL_BRANDS = {level: level for level, _, _, _ in OPTIONS}
LEVEL_BRANDS.update({"SOL_IP": "IPPROTO_IP", "SOL_TCP": "IPPROTO_TCP", "SOL_UDP": "IPPROTO_UDP",
                     "SOL_IPV6": "IPPROTO_IPV6"})


def ts_type(n):
    """The TypeScript type of constant n, beyond `number`, or None."""
    if n in LITERAL_TYPES:
        return str(LITERAL_TYPES[n])
    if n in OPTION_NAMES:
        return f"Opt<'{n}'>"
    if n in LEVEL_BRANDS:
        return f"Level<'{LEVEL_BRANDS[n]}'>"
    return None

GENERATED = [
    "// Generated by scripts/gen-constants.py from its list of names: edit the",
    "// list there, not this file. Each name is exported only where the system",
    "// headers define it, with the value they give it, so nothing is typed by hand.",
]


def guard(n):
    if n in ENUM_SINCE:
        major, minor = ENUM_SINCE[n].split(".")
        return f"if LINUX_VERSION_CODE >= KERNEL_VERSION({major}, {minor}, 0)"
    return "ifdef " + ENUM_GUARDS.get(n, n)


def set_line(setter, n):
    """The Set call for one name, wrapped as clang-format wraps it past 80 columns."""
    line = f'  {setter}(env, c, "{n}", {n});'
    if len(line) <= 80:
        return [line]
    return [f'  {setter}(env, c, "{n}",', " " * (len(setter) + 3) + f"{n});"]


def cc_file(headers, fn, setter, groups):
    out = GENERATED + headers + ["", '#include "constants.h"', "", "namespace ps {", "",
                                 f"void {fn}(napi_env env, napi_value c) {{"]
    for title, names in groups:
        out += [f"  // {line}" for line in textwrap.wrap(title, 77)]
        for n in names:
            note = f"  // Linux {SINCE[n]}" if n in SINCE else ""
            out += [f"#{guard(n)}{note}", *set_line(setter, n), "#endif"]
    return "\n".join(out + ["}", "", "}  // namespace ps", ""])


groups = [(title, names.split()) for title, names in GROUPS]
libc = cc_file(HEADERS.split("\n"), "SetLibcConstants", "Set", [(t, n) for t, n in groups if t not in UAPI_ONLY])
uapi_headers = sorted({h for hs in UAPI.values() for h in hs})
# native/uring_compat.h: the io_uring names of kernels newer than the headers.
uapi = cc_file([f"#include <{h}>" for h in uapi_headers] + ['', '#include "uring_compat.h"'],
               "SetUapiConstants", "SetIfAbsent",
               [(t, n) for t, n in groups if t in UAPI])
(root / "native/constants_libc.cc").write_text(libc)
(root / "native/constants_uapi.cc").write_text(uapi)

ts = [
    "// Generated by scripts/gen-constants.py: edit the list there, not this file.",
    "// Every value comes from the system headers through the addon at build time;",
    "// a name the headers of the build machine lack is `undefined` at run time",
    "// (a comment gives the Linux release that brought each newer name).",
    "import { nativeModule } from './native.js';",
    "",
    "const c = nativeModule<{ constants: Readonly<Record<string, number>> }>().constants;",
    "",
    "/** Every constant the addon was built with, by name (only those the headers define). */",
    "export const constants: Readonly<Record<string, number>> = c;",
    "",
    "/**",
    " * C's `sizeof` of the structs a socket program passes, as the compiler that",
    " * built the addon measured them: `{ value: sizeof.sockaddr_in }` is C's",
    " * `socklen_t len = sizeof(struct sockaddr_in)`.",
    " */",
    "export const sizeof: Readonly<Record<string, number>> = nativeModule<{",
    "  sizeof: Readonly<Record<string, number>>;",
    "}>().sizeof;",
    "",
    "declare const optionBrand: unique symbol;",
    "declare const levelBrand: unique symbol;",
    "",
    "/**",
    " * The type of a socket option's constant: a number at run time, named at",
    " * compile time so that getsockopt and setsockopt type its value",
    " * (`Opt<'SO_KEEPALIVE'>` reads as a boolean). It is still a number wherever",
    " * one is accepted; arithmetic on it gives a plain number.",
    " */",
    "export type Opt<N extends string> = number & { readonly [optionBrand]: N };",
    "",
    "/** The type of an option level's constant (`Level<'SOL_SOCKET'>`), as {@link Opt}. */",
    "export type Level<N extends string> = number & { readonly [levelBrand]: N };",
    "",
    "/**",
    " * The options of the typed table (native/sockopt_table.cc, socketOptions()):",
    " * each one's level, C type and access ('r' read only, 'w' set only).",
    " */",
    "export interface SocketOptionTypes {",
] + [f"  {name}: {{ level: '{level}'; kind: '{kind}'; access: '{access}' }};"
     for level, name, kind, access in OPTIONS] + [
    "}",
    "",
]
for title, names in groups:
    ts.append(f"// {title}")
    for n in names:
        if ts_type(n) is not None and n not in SINCE:
            ts.append(f"export const {n} = c.{n} as {ts_type(n)};")
    plain = [n for n in names if ts_type(n) is None and n not in SINCE]
    if plain:
        ts.append("export const {")
        line = " "
        for n in plain:
            if len(line) + len(n) + 2 > 100:
                ts.append(line.rstrip())
                line = " "
            line += f" {n},"
        ts.append(line.rstrip())
        ts.append("} = c;")
    for n in names:
        if n in SINCE:
            ts.append(f"/** Linux {SINCE[n]} and later. */")
            ts.append(f"export const {n} = c.{n}" + (f" as {ts_type(n)};" if ts_type(n) else ";"))
    ts.append("")
(root / "lib/constants.ts").write_text("\n".join(ts))

errno_names = [n for t, names in groups if t.startswith("Error numbers") for n in names if n not in ALIASES]
(root / "lib/errno-names.ts").write_text("\n".join([
    "// Generated by scripts/gen-constants.py: edit the list there, not this file.",
    "// The errno names in the kernel's order, one name a number (the second",
    "// names EWOULDBLOCK, EDEADLOCK and ENOTSUP are left out); errors.ts maps",
    "// each defined one's value back to it.",
    "export const ERRNO_NAMES: readonly string[] = [",
] + [f"  '{n}'," for n in errno_names] + ["];", ""]))

# The names, for the test that keeps the three in step.
(root / "test/constant-names.json").write_text(
    "[\n" + ",\n".join(f'  "{n}"' for _, names in groups for n in names) + "\n]\n")
(root / "test/sockopt-types.json").write_text(
    "[\n" + ",\n".join(f'  {{ "level": "{lv}", "name": "{n}", "kind": "{k}", "access": "{a}" }}'
                        for lv, n, k, a in OPTIONS) + "\n]\n")
(root / "test/constant-literals.json").write_text(
    "{\n" + ",\n".join(f'  "{k}": {v}' for k, v in LITERAL_TYPES.items()) + "\n}\n")
