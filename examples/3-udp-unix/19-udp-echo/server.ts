// The classic UDP echo server: no listen, no accept, no connection. Each
// recvfrom returns one datagram and fills in who sent it; sendto sends the
// datagram back to that address. One socket serves every client.
// Its twin, server.c, is the same program line by line in C.
// Usage: npx tsx examples/3-udp-unix/19-udp-echo/server.ts [port [datagrams]]  (port 0 or
// none: the kernel picks one, printed; after `datagrams` datagrams it exits,
// without it it serves forever)
import {
  AF_INET,
  INADDR_LOOPBACK,
  SOCK_DGRAM,
  bind,
  close,
  getsockname,
  htonl,
  htons,
  inet_ntoa,
  ntohs,
  recvfrom,
  sendto,
  sizeof,
  socket,
  type SockaddrStorage,
} from 'posix-sockets';

const port = process.argv.length > 2 ? Number(process.argv[2]) : 0;
const datagrams = process.argv.length > 3 ? Number(process.argv[3]) : -1;
const sockfd = socket(AF_INET, SOCK_DGRAM, 0);

const addr = {
  sin_family: AF_INET,
  sin_port: htons(port),
  sin_addr: { s_addr: htonl(INADDR_LOOPBACK) },
};
bind(sockfd, addr, sizeof.sockaddr_in); // a failure throws: bind EADDRINUSE: Address already in use

const me: SockaddrStorage = {};
const melen = { value: sizeof.sockaddr_in };
getsockname(sockfd, me, melen);
console.log(`server: listening on port ${ntohs(me.sin_port!)}`);

const buf = Buffer.alloc(65536);
for (let served = 0; datagrams < 0 || served < datagrams; served++) {
  const cli: SockaddrStorage = {};
  const len = { value: sizeof.sockaddr_in }; // in: the room; out: the sender's real length
  const n = recvfrom(sockfd, buf, buf.length, 0, cli, len); // a failure throws
  console.log(`server: ${n} bytes from ${inet_ntoa(cli.sin_addr!)}:${ntohs(cli.sin_port!)}`);
  // The filled-in address goes back as it is, C fields and all: C's (struct sockaddr *)&cli, len.
  sendto(sockfd, buf, n, 0, { sin_family: cli.sin_family!, sin_port: cli.sin_port!, sin_addr: cli.sin_addr! }, len.value);
}
close(sockfd);
