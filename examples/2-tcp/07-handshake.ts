// Lesson: the three-way handshake happens in the kernel, not in accept().
//
// connect() returns once the client has received the SYN-ACK and sent its
// ACK. When that ACK reaches the server, its kernel moves the finished
// connection to the listening socket's accept queue, where it waits until the
// program calls accept(), which only takes it off the queue. A client can even send data before the server accepts:
// it waits in the new socket's receive buffer.
// Run: npx tsx examples/2-tcp/07-handshake.ts
import { AF_INET, SOCK_STREAM, accept, bind, close, connect, constantName, getpeername, getsockname, listen, read, socket, write } from 'posix-sockets';

const lfd = socket(AF_INET, SOCK_STREAM);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port: 0 });
listen(lfd, 16);
const server = getsockname(lfd);
console.log('server listening on', { ...server, family: constantName(server.family, 'AF_') }); // AF_INET, not 2

const cfd = socket(AF_INET, SOCK_STREAM);
connect(cfd, server as { family: typeof AF_INET; address: string; port: number });
console.log('connect() returned: the handshake is complete, and nobody has called accept() yet');

const early = Buffer.from('sent before accept');
console.log(`client wrote ${write(cfd, early)} bytes before the server accepted`);

const afd = accept(lfd); // takes the finished connection off the accept queue
const buf = Buffer.alloc(64);
const n = read(afd, buf);
console.log(`after accept, the server reads ${n} bytes that were already waiting: "${buf.toString('utf8', 0, n)}"`);

// The connection is the 4-tuple: each side's name is the other's peer.
const c = getsockname(cfd) as { port: number };
const p = getpeername(afd) as { port: number };
console.log(`client local port ${c.port} = server's view of the peer port ${p.port}: ${c.port === p.port}`);
for (const fd of [afd, cfd, lfd]) close(fd);
