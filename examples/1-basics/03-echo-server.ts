// Lesson 0: the classic iterative TCP echo server, line for line as in C
// (examples/1-basics/03-echo-server.c). One client at a time, blocking calls, no event
// loop: accept waits, read waits, and read returning 0 means the client is
// done. Run:  npx tsx examples/1-basics/03-echo-server.ts [port] [clients]
// then:       nc 127.0.0.1 <port>   (or any TCP client)
import { AF_INET, SOCK_STREAM, accept, bind, close, constantName, getsockname, listen, read, socket, write } from 'posix-sockets';

const port = Number(process.argv[2] ?? 7000);
const clients = Number(process.argv[3] ?? Infinity); // stop after this many, for tests

const lfd = socket(AF_INET, SOCK_STREAM);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port });
listen(lfd, 128);
const me = getsockname(lfd); // port 0 picks a free one
console.log('listening on', { ...me, family: constantName(me.family, 'AF_') }); // the family by name: AF_INET, not 2

const buf = Buffer.alloc(4096);
for (let served = 0; served < clients; served++) {
  const cfd = accept(lfd); // blocks until a client connects
  try {
    let n: number;
    while ((n = read(cfd, buf)) > 0) {
      // n === 0 ends the loop: the client closed its side
      for (let off = 0; off < n; ) off += write(cfd, buf, n - off, off); // write may be short
    }
  } catch {
    // ECONNRESET, EPIPE: this client is gone; the server goes on
  }
  close(cfd);
}
close(lfd);
