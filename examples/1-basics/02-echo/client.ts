// The classic TCP echo client: it sends each line, reads until the whole
// echo is back (read may return less than was sent), and checks it.
// Its twin, client.c, is the same program line by line in C.
// Usage: npx tsx examples/1-basics/02-echo/client.ts host port [line...]  (no lines: three of its own)
import { AF_INET, SOCK_STREAM, close, connect, htons, inet_addr, read, sizeof, socket, write } from 'posix-sockets';

if (process.argv.length < 4) {
  console.error('usage: client host port [line...]');
  process.exit(2);
}
const defaults = ['hello', 'echo, echo', 'the third line'];
const lines = process.argv.length > 4 ? process.argv.slice(4) : defaults;
const count = lines.length;
const sockfd = socket(AF_INET, SOCK_STREAM, 0);

const srv = {
  sin_family: AF_INET,
  sin_port: htons(Number(process.argv[3])),
  sin_addr: { s_addr: inet_addr(process.argv[2]!) },
};
connect(sockfd, srv, sizeof.sockaddr_in); // a failure throws: connect ECONNREFUSED: Connection refused

const out = Buffer.alloc(1024);
const inb = Buffer.alloc(1024);
let ok = 0;
for (let i = 0; i < count; i++) {
  const len = out.write(`${lines[i]}\n`); // the line and its newline, no NUL
  write(sockfd, out, len);
  let got = 0;
  while (got < len) {
    // a stream has no boundaries: read until all len bytes are back
    const n = read(sockfd, inb, len - got, got); // C's in + got is the last argument
    if (n <= 0) {
      console.error(`client: the server closed after ${got} of ${len} bytes`);
      process.exit(1);
    }
    got += n;
  }
  const same = inb.compare(out, 0, len, 0, len) === 0;
  console.log(`client: sent ${len} bytes, echo ${same ? 'matches' : 'DIFFERS'}: ${inb.toString('utf8', 0, len - 1)}`);
  ok += same ? 1 : 0;
}
close(sockfd);
console.log(`client: ${ok} of ${count} lines echoed intact`);
process.exit(ok === count ? 0 : 1);
