// Lesson: shutdown(SHUT_WR) closes one direction of a connection.
//
// A client that has sent its whole request can say so with shutdown(SHUT_WR):
// the server's read() returns 0 (end of file) after the last byte, yet the
// connection stays open the other way, so the server can still answer. This
// is how "read until EOF, then reply" protocols work; close() instead would
// end both directions, and any reply would meet a reset.
// Run: npx tsx examples/2-tcp/13-half-close.ts
import { AF_INET, SHUT_WR, SOCK_STREAM, accept, bind, close, connect, getsockname, listen, read, shutdown, socket, write } from 'posix-sockets';

const lfd = socket(AF_INET, SOCK_STREAM);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port: 0 });
listen(lfd);
const cfd = socket(AF_INET, SOCK_STREAM);
connect(cfd, getsockname(lfd) as { family: typeof AF_INET; address: string; port: number });
const sfd = accept(lfd);

write(cfd, Buffer.from('count the bytes of this request'));
shutdown(cfd, SHUT_WR); // "that was all of it"
console.log('client: sent the request and shut down its writing side');

const buf = Buffer.alloc(16); // small on purpose: the request takes several reads
let total = 0;
for (let n; (n = read(sfd, buf)) > 0; ) total += n;
console.log(`server: read ${total} bytes, then read() returned 0 (EOF)`);

write(sfd, Buffer.from(`you sent ${total} bytes`));
close(sfd);
console.log('server: replied on the still-open direction and closed');

const reply = Buffer.alloc(64);
const n = read(cfd, reply);
console.log(`client: got "${reply.toString('utf8', 0, n)}", then read() returned ${read(cfd, reply)} (EOF)`);
close(cfd);
close(lfd);
