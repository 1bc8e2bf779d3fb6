// Lesson: the side that closes first keeps the connection in TIME_WAIT.
//
// After the active close, the kernel keeps the connection's 4-tuple for 2*MSL
// (60 s on Linux) so that late segments of the old connection cannot be taken
// for a new one. While it does, the local port stays in use: a server that
// restarts at once cannot bind(2) its port (EADDRINUSE) unless it sets
// SO_REUSEADDR before bind, which is why every server sets it. The passive
// side (the one whose read() returned 0 first) goes through CLOSE_WAIT and
// LAST_ACK instead, and leaves nothing behind.
// Run: npx tsx examples/2-tcp/15-time-wait.ts
import { readFileSync } from 'node:fs';
import {
  AF_INET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  SocketError,
  accept,
  bind,
  close,
  connect,
  getTcpInfo,
  getsockname,
  getsockopt,
  listen,
  read,
  setsockopt,
  socket,
  type SockaddrIn,
} from 'posix-sockets';

/**
 * How many connections from `port` to `peerPort` /proc/net/tcp shows in
 * TIME_WAIT (state 06). Both ports, so another program's connection that
 * happens to use the same local port number is not counted.
 */
function timeWaitCount(port: number, peerPort: number): number {
  const hex = (p: number) => `:${p.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(hex(port)) && f[2]?.endsWith(hex(peerPort)) && f[3] === '06').length;
}

/**
 * A server on a fresh port that serves one client and closes first. Returns
 * the port, whose connection is now in TIME_WAIT.
 */
function serveOneAndCloseFirst(reuseaddr: boolean): SockaddrIn {
  const lfd = socket(AF_INET, SOCK_STREAM);
  if (reuseaddr) setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, true); // accepted sockets inherit it
  bind(lfd, { family: AF_INET, address: '127.0.0.1', port: 0 });
  listen(lfd);
  const addr = getsockname(lfd) as SockaddrIn;
  const cfd = socket(AF_INET, SOCK_STREAM);
  connect(cfd, addr);
  const sfd = accept(lfd);
  const clientPort = (getsockname(cfd) as SockaddrIn).port;
  close(sfd); // the server closes first: the active close
  read(cfd, Buffer.alloc(1)); // the client reads EOF (0) ...
  console.log(`  client, after the server's FIN: ${getTcpInfo(cfd).state}`);
  close(cfd); // ... and closes too: the passive close
  close(lfd); // the server "restarts"
  console.log(`  connections in TIME_WAIT on the server's port: ${timeWaitCount(addr.port, clientPort)}`);
  return addr;
}

/** Tries to bind a new listening socket to `addr`, as a restarted server would. */
function restart(addr: SockaddrIn, reuseaddr: boolean): void {
  const fd = socket(AF_INET, SOCK_STREAM);
  try {
    if (reuseaddr) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, true);
    bind(fd, addr);
    listen(fd);
    console.log(`  restart: bind succeeded (SO_REUSEADDR reads ${getsockopt(fd, SOL_SOCKET, SO_REUSEADDR)})`);
  } catch (e) {
    if (!(e instanceof SocketError)) throw e;
    console.log(`  restart: bind failed with ${e.code}`);
  } finally {
    close(fd);
  }
}

console.log('without SO_REUSEADDR:');
restart(serveOneAndCloseFirst(false), false);
console.log('with SO_REUSEADDR on the old and the new listening socket:');
restart(serveOneAndCloseFirst(true), true);
