// A classic TCP client: it connects, prints what the server says, and exits.
// Its twin, client.c, is the same program line by line in C.
// Usage: npx tsx examples/1-basics/01-hello/client.ts host port
import { AF_INET, SOCK_STREAM, close, connect, htons, inet_addr, recv, sizeof, socket } from 'posix-sockets';

if (process.argv.length !== 4) {
  console.error('usage: client host port');
  process.exit(2);
}
const sockfd = socket(AF_INET, SOCK_STREAM, 0);

const srv = {
  sin_family: AF_INET,
  sin_port: htons(Number(process.argv[3])),
  sin_addr: { s_addr: inet_addr(process.argv[2]!) },
};
connect(sockfd, srv, sizeof.sockaddr_in); // a failure throws: connect ECONNREFUSED: Connection refused

const buf = Buffer.alloc(100);
const n = recv(sockfd, buf, buf.length - 1, 0);
// C ends the string with buf[n] = '\0'; here the bytes are decoded up to n.
console.log(`client: received '${buf.toString('latin1', 0, n)}'`);
close(sockfd);
