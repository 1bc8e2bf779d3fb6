// A classic TCP server: it greets one client and exits. Its twin, server.c,
// is the same program line by line in C.
// Usage: npx tsx examples/1-basics/01-hello/server.ts [port]  (port 0 or none: the kernel picks one, printed)
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
  send,
  setsockopt,
  sizeof,
  socket,
  type SockaddrStorage,
} from 'posix-sockets';

const port = process.argv.length > 2 ? Number(process.argv[2]) : 0;
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

const cli: SockaddrStorage = {};
const len = { value: sizeof.sockaddr_in };
const newfd = accept(sockfd, cli, len);
console.log(`server: got connection from ${inet_ntoa(cli.sin_addr!)}`);
send(newfd, Buffer.from('Hello, world!'), 13, 0);
close(newfd);
close(sockfd);
