// A UNIX-domain stream server: the same calls as TCP's, but the address is
// a name in the filesystem (a socket file, which bind creates and which must
// be unlinked before the next bind) or, with a leading '@', in the abstract
// namespace (no file; it goes when the socket closes). It answers one client
// and exits. Its twin, server.c, is the same program line by line in C.
// Usage: npx tsx examples/3-udp-unix/21-unix-stream/server.ts path|@name
import { rmSync, statSync } from 'node:fs';
import { AF_UNIX, SOCK_STREAM, accept, bind, close, listen, read, sizeof, socket, write, type SockaddrStorage } from 'posix-sockets';

if (process.argv.length !== 3) {
  console.error('usage: server path|@name');
  process.exit(2);
}
const name = process.argv[2]!;
const abstract = name[0] === '@';
const sockfd = socket(AF_UNIX, SOCK_STREAM, 0);

const SUN_PATH_OFFSET = 2; // offsetof(struct sockaddr_un, sun_path): after the 2-byte sun_family
let addr;
let addrlen: number;
if (abstract) {
  // sun_path[0] is '\0', and the name is exactly the bytes after it
  addr = { sun_family: AF_UNIX, sun_path: `\0${name.slice(1)}` };
  addrlen = SUN_PATH_OFFSET + Buffer.byteLength(name);
} else {
  addr = { sun_family: AF_UNIX, sun_path: name };
  addrlen = sizeof.sockaddr_un;
  rmSync(name, { force: true }); // C's unlink(name): a socket file left by an earlier run would make bind fail: EADDRINUSE
}
bind(sockfd, addr, addrlen); // a failure throws
listen(sockfd, 10);
const file = !abstract && statSync(name, { throwIfNoEntry: false })?.isSocket() === true;
console.log(`server: listening on ${name} (${abstract ? 'abstract: no file' : file ? 'a socket file' : 'NO FILE?'})`);

const cli: SockaddrStorage = {};
const len = { value: sizeof.sockaddr_un };
const newfd = accept(sockfd, cli, len);
// A client that did not bind has no name: the kernel fills only the family.
console.log(`server: got a connection, the client's address is ${len.value} bytes (${len.value === SUN_PATH_OFFSET ? 'unnamed' : 'named'})`);
const buf = Buffer.alloc(100);
const n = read(newfd, buf, buf.length);
const reply = Buffer.from(`you sent ${n} bytes`);
write(newfd, reply, reply.length);
close(newfd);
close(sockfd);
if (!abstract) rmSync(name); // closing does not remove the file
