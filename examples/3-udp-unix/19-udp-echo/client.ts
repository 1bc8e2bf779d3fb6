// The classic UDP echo client: it sends each message as one datagram and
// waits for the echo, at most two seconds (UDP may lose it: nobody resends).
// recvfrom says who answered, and the client checks it was the server.
// Its twin, client.c, is the same program line by line in C.
// Usage: npx tsx examples/3-udp-unix/19-udp-echo/client.ts host port [message...]  (no messages: three of its own)
import {
  AF_INET,
  SOCK_DGRAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  close,
  htons,
  inet_addr,
  inet_ntoa,
  ntohs,
  recvfrom,
  sendto,
  setsockopt,
  sizeof,
  socket,
  type SockaddrStorage,
} from 'posix-sockets';

if (process.argv.length < 4) {
  console.error('usage: client host port [message...]');
  process.exit(2);
}
const defaults = ['one', 'two two', 'three three three'];
const messages = process.argv.length > 4 ? process.argv.slice(4) : defaults;
const count = messages.length;
const sockfd = socket(AF_INET, SOCK_DGRAM, 0);
const tv = { sec: 2, usec: 0 };
setsockopt(sockfd, SOL_SOCKET, SO_RCVTIMEO, tv);

const srv = {
  sin_family: AF_INET,
  sin_port: htons(Number(process.argv[3])),
  sin_addr: { s_addr: inet_addr(process.argv[2]!) },
};

const buf = Buffer.alloc(65536);
let ok = 0;
for (let i = 0; i < count; i++) {
  const message = Buffer.from(messages[i]!);
  const len = message.length;
  sendto(sockfd, message, len, 0, srv, sizeof.sockaddr_in);
  const from: SockaddrStorage = {};
  const fromlen = { value: sizeof.sockaddr_in };
  const n = recvfrom(sockfd, buf, buf.length, 0, from, fromlen);
  if (n === -1) {
    // C's perror: SO_RCVTIMEO ran out (EAGAIN is a return value here, not a throw)
    console.error('recvfrom: Resource temporarily unavailable (no echo in 2 s: lost)');
    process.exit(1);
  }
  const same = n === len && buf.compare(message, 0, len, 0, n) === 0;
  const fromServer = from.sin_addr!.s_addr === srv.sin_addr.s_addr && from.sin_port === srv.sin_port;
  console.log(
    `client: sent ${len} bytes, got ${n} back from ${inet_ntoa(from.sin_addr!)}:${ntohs(from.sin_port!)}, ${same && fromServer ? 'the same datagram' : 'NOT the same'}`,
  );
  ok += same && fromServer ? 1 : 0;
}
close(sockfd);
console.log(`client: ${ok} of ${count} datagrams echoed intact`);
process.exit(ok === count ? 0 : 1);
