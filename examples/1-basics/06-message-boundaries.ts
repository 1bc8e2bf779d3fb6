// Lesson: TCP is a byte stream; UDP keeps message boundaries.
//
// Three send() calls on a TCP socket are three pieces of one stream: the
// receiver may read them in one recv(), or in other pieces. A protocol over
// TCP must frame its messages itself, here with a 4-byte length prefix. Three
// sendto() calls on a UDP socket are three datagrams, and each recvfrom()
// returns exactly one of them.
// Run: npx tsx examples/1-basics/06-message-boundaries.ts
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, accept, bind, close, connect, getsockname, listen, recv, recvfrom, send, sendto, socket } from 'posix-sockets';

type In = { family: typeof AF_INET; address: string; port: number };
const loopback: In = { family: AF_INET, address: '127.0.0.1', port: 0 };
const buf = Buffer.alloc(1024);

// TCP: three sends, one stream.
const lfd = socket(AF_INET, SOCK_STREAM);
bind(lfd, loopback);
listen(lfd);
const tx = socket(AF_INET, SOCK_STREAM);
connect(tx, getsockname(lfd) as In);
const rx = accept(lfd);
for (const word of ['one', 'two', 'three']) send(tx, Buffer.from(word));
const n = recv(rx, buf);
console.log(`TCP: 3 sends, 1 recv got ${n} bytes: "${buf.toString('utf8', 0, n)}" (the boundaries are gone)`);

// Framing: a 4-byte big-endian length before each message.
for (const word of ['one', 'two', 'three']) {
  const frame = Buffer.alloc(4 + word.length);
  frame.writeUInt32BE(word.length, 0);
  frame.write(word, 4);
  send(tx, frame);
}
close(tx); // EOF ends the stream
let stream = Buffer.alloc(0);
for (let m; (m = recv(rx, buf)) > 0; ) stream = Buffer.concat([stream, buf.subarray(0, m)]);
const messages: string[] = [];
for (let off = 0; off + 4 <= stream.length; ) {
  const len = stream.readUInt32BE(off);
  messages.push(stream.toString('utf8', off + 4, off + 4 + len));
  off += 4 + len;
}
console.log(`TCP with length-prefix framing: ${JSON.stringify(messages)}`);
close(rx);
close(lfd);

// UDP: three sendtos, three datagrams.
const u1 = socket(AF_INET, SOCK_DGRAM);
const u2 = socket(AF_INET, SOCK_DGRAM);
bind(u2, loopback);
for (const word of ['one', 'two', 'three']) sendto(u1, Buffer.from(word), undefined, 0, getsockname(u2) as In);
const got: string[] = [];
for (let i = 0; i < 3; i++) {
  const { bytes } = recvfrom(u2, buf);
  got.push(buf.toString('utf8', 0, bytes));
}
console.log(`UDP: 3 sendtos, 3 recvfroms: ${JSON.stringify(got)} (each datagram whole)`);
close(u1);
close(u2);
