// A UNIX-domain stream client: it connects to a path or an '@' abstract
// name, sends one line and prints the answer. The client does not bind, so
// it has no name of its own (TCP's connect picks a port; here nothing is picked).
// Its twin, client.c, is the same program line by line in C.
// Usage: npx tsx examples/3-udp-unix/21-unix-stream/client.ts path|@name
import { AF_UNIX, SOCK_STREAM, close, connect, read, sizeof, socket, write } from 'posix-sockets';

if (process.argv.length !== 3) {
  console.error('usage: client path|@name');
  process.exit(2);
}
const name = process.argv[2]!;
const sockfd = socket(AF_UNIX, SOCK_STREAM, 0);

const SUN_PATH_OFFSET = 2; // offsetof(struct sockaddr_un, sun_path)
let addr;
let addrlen: number;
if (name[0] === '@') {
  addr = { sun_family: AF_UNIX, sun_path: `\0${name.slice(1)}` };
  addrlen = SUN_PATH_OFFSET + Buffer.byteLength(name);
} else {
  addr = { sun_family: AF_UNIX, sun_path: name };
  addrlen = sizeof.sockaddr_un;
}
connect(sockfd, addr, addrlen); // a failure throws: connect ENOENT (no such file) or ECONNREFUSED (nobody listens)

const msg = Buffer.from('hello over a UNIX socket');
write(sockfd, msg, msg.length);
const buf = Buffer.alloc(100);
const n = read(sockfd, buf, buf.length - 1);
// C ends the string with buf[n] = '\0'; here the bytes are decoded up to n.
console.log(`client: received '${buf.toString('utf8', 0, n)}'`);
close(sockfd);
