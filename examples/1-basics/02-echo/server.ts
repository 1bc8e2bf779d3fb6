// The classic iterative TCP echo server: one client at a time, each echoed
// until it closes, then the next. Its twin, server.c, is the same program
// line by line in C.
// Usage: npx tsx examples/1-basics/02-echo/server.ts [port [clients]]  (port 0 or none:
// the kernel picks one, printed; after `clients` clients it exits, without
// it it serves forever)
import {
  AF_INET,
  INADDR_LOOPBACK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  accept,
  bind,
  close,
  getsockname,
  htonl,
  htons,
  inet_ntoa,
  listen,
  ntohs,
  read,
  setsockopt,
  sizeof,
  socket,
  write,
  type SockaddrStorage,
} from 'posix-sockets';

const port = process.argv.length > 2 ? Number(process.argv[2]) : 0;
const clients = process.argv.length > 3 ? Number(process.argv[3]) : -1;
// C's signal(SIGPIPE, SIG_IGN) is not needed: Node ignores SIGPIPE, so a
// client gone mid-write is EPIPE (a thrown SocketError), not death.
const sockfd = socket(AF_INET, SOCK_STREAM, 0);
const yes = 1;
setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes);

const addr = {
  sin_family: AF_INET,
  sin_port: htons(port),
  sin_addr: { s_addr: htonl(INADDR_LOOPBACK) },
};
bind(sockfd, addr, sizeof.sockaddr_in); // a failure throws: bind EADDRINUSE: Address already in use
listen(sockfd, 10);

const me: SockaddrStorage = {};
const melen = { value: sizeof.sockaddr_in };
getsockname(sockfd, me, melen);
console.log(`server: listening on port ${ntohs(me.sin_port!)}`);

const buf = Buffer.alloc(4096);
for (let served = 0; clients < 0 || served < clients; served++) {
  const cli: SockaddrStorage = {};
  const len = { value: sizeof.sockaddr_in };
  const newfd = accept(sockfd, cli, len);
  console.log(`server: client ${inet_ntoa(cli.sin_addr!)}:${ntohs(cli.sin_port!)} connected`);
  let total = 0;
  let n: number;
  try {
    while ((n = read(newfd, buf, buf.length)) > 0) {
      // 0: the client closed
      for (let off = 0; off < n; ) off += write(newfd, buf, n - off, off); // write may be short; C's buf + off is the last argument
      total += n;
    }
  } catch {
    // C's `if (w < 0) break`: ECONNRESET, EPIPE, this client is gone
  }
  console.log(`server: echoed ${total} bytes, client closed`);
  close(newfd);
}
close(sockfd);
