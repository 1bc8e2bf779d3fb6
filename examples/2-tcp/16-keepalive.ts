// Lesson: TCP keepalive probes an idle connection so a dead peer is noticed.
//
// An idle TCP connection sends nothing, so a peer that vanished (a crashed
// host, a pulled cable, a NAT that forgot the mapping) is not noticed until
// the next write times out, which may be never for a reader. SO_KEEPALIVE has
// the kernel send a probe after TCP_KEEPIDLE seconds of silence, then every
// TCP_KEEPINTVL seconds; after TCP_KEEPCNT unanswered probes the connection
// fails with ETIMEDOUT. A live peer answers each probe with an ACK, which is
// what this lesson shows: tcpi_last_ack_recv (ms since the last ACK arrived)
// stays small on the probed connection and keeps growing on the other.
// Run: npx tsx examples/2-tcp/16-keepalive.ts [idle-ms]
import {
  AF_INET,
  IPPROTO_TCP,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_KEEPALIVE,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  accept,
  bind,
  close,
  connect,
  getTcpInfo,
  getsockname,
  getsockopt,
  listen,
  setsockopt,
  socket,
  type SockaddrIn,
} from 'posix-sockets';

const idleMs = Number(process.argv[2] ?? 3500);

const lfd = socket(AF_INET, SOCK_STREAM);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port: 0 });
listen(lfd);
const addr = getsockname(lfd) as SockaddrIn;

const plain = socket(AF_INET, SOCK_STREAM);
const probed = socket(AF_INET, SOCK_STREAM);
setsockopt(probed, SOL_SOCKET, SO_KEEPALIVE, true);
setsockopt(probed, IPPROTO_TCP, TCP_KEEPIDLE, 1); // first probe after 1 s of silence
setsockopt(probed, IPPROTO_TCP, TCP_KEEPINTVL, 1); // then one a second
setsockopt(probed, IPPROTO_TCP, TCP_KEEPCNT, 3); // 3 unanswered probes: ETIMEDOUT
connect(plain, addr);
connect(probed, addr);
const peers = [accept(lfd), accept(lfd)];
console.log(
  `probed connection: SO_KEEPALIVE ${getsockopt(probed, SOL_SOCKET, SO_KEEPALIVE)}, ` +
    `idle ${getsockopt(probed, IPPROTO_TCP, TCP_KEEPIDLE)} s, ` +
    `interval ${getsockopt(probed, IPPROTO_TCP, TCP_KEEPINTVL)} s, ` +
    `count ${getsockopt(probed, IPPROTO_TCP, TCP_KEEPCNT)}`,
);
console.log(`both connections now stay silent for ${idleMs} ms ...`);

setTimeout(() => {
  const quiet = getTcpInfo(plain).last_ack_recv;
  const alive = getTcpInfo(probed).last_ack_recv;
  console.log(`without keepalive: last ACK received ${quiet} ms ago`);
  console.log(`with keepalive:    last ACK received ${alive} ms ago (the answer to the latest probe)`);
  for (const fd of [plain, probed, ...peers, lfd]) close(fd);
}, idleMs);
