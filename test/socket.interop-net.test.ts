// Interop with Node core: fds made here handed to net.Socket and
// net.Server, and the fd of a socket Node made used here. Node closes the
// fds it owns asynchronously, so every test waits for the 'close' events
// before the fd-leak check runs.
import { once } from 'node:events';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  MSG_DONTWAIT,
  SOCK_STREAM,
  close,
  connect,
  getpeername,
  getsockname,
  isNonBlocking,
  read,
  recv,
  send,
  setNonBlocking,
  socket,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll, listening, loopback, portOf } from './helpers.js';

/** The fd under a socket Node made (libuv's handle). Node still owns it. */
function fdOf(sock: net.Socket): number {
  return (sock as unknown as { _handle: { fd: number } })._handle.fd;
}

/**
 * recv on a non-blocking fd, letting the event loop turn between tries so
 * Node can do its side. Gives up (returns -1) after about 5 s of nothing.
 */
async function recvSoon(fd: number, buf: Buffer): Promise<number> {
  for (let i = 0; i < 5000; i++) {
    const n = recv(fd, buf, undefined, MSG_DONTWAIT);
    if (n >= 0) return n;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return -1;
}

describe('an fd made here, handed to Node', () => {
  it('new net.Socket({ fd }) reads and writes a socketpair end; Node closes it', async () => {
    const [mine, theirs] = socketpair(AF_UNIX, SOCK_STREAM);
    let handedOver = false;
    try {
      const sock = new net.Socket({ fd: theirs, readable: true, writable: true });
      handedOver = true;
      // libuv made the fd non-blocking when it adopted it.
      expect(isNonBlocking(theirs)).toBe(true);
      const data = once(sock, 'data');
      expect(write(mine, Buffer.from('ping from posix-sockets'))).toBe(23);
      expect(String((await data)[0])).toBe('ping from posix-sockets');
      await new Promise<void>((resolve, reject) => sock.write('pong from node', (e) => (e ? reject(e) : resolve())));
      const buf = Buffer.alloc(64);
      expect(buf.toString('utf8', 0, read(mine, buf))).toBe('pong from node');
      const closed = once(sock, 'close');
      sock.destroy();
      await closed; // Node has closed `theirs` now; closing it here too would be a double close
      expect(read(mine, buf)).toBe(0); // and the peer sees EOF
    } finally {
      closeAll(mine, ...(handedOver ? [] : [theirs]));
    }
  });

  it('server.listen({ fd }) accepts on a listening socket made here', async () => {
    const lfd = listening({ family: AF_INET });
    const port = portOf(lfd);
    const server = net.createServer((conn) => {
      conn.once('data', (d) => conn.end(`node got ${String(d)}`));
    });
    const client = socket(AF_INET, SOCK_STREAM);
    try {
      server.listen({ fd: lfd });
      await once(server, 'listening');
      expect((server.address() as net.AddressInfo).port).toBe(port);
      // The kernel completes the handshake before Node accepts, so a
      // blocking connect returns at once; the reads below must not block.
      connect(client, loopback(AF_INET, port));
      setNonBlocking(client);
      expect(send(client, Buffer.from('hello'))).toBe(5);
      const buf = Buffer.alloc(64);
      const n = await recvSoon(client, buf);
      expect(buf.toString('utf8', 0, n)).toBe('node got hello');
      expect(await recvSoon(client, buf)).toBe(0); // conn.end(): EOF
    } finally {
      close(client);
      // server.close() closes lfd, which Node owns since listen({ fd }).
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the fd of a socket Node made, used here', () => {
  it('sends and receives on an accepted connection Node holds paused', async () => {
    // pauseOnConnect keeps libuv from reading the accepted socket, so recv
    // here does not race Node's own reads.
    const server = net.createServer({ pauseOnConnect: true });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const accepted = once(server, 'connection');
    const client = net.connect(port, '127.0.0.1');
    const [conn] = (await accepted) as [net.Socket];
    try {
      await once(client, 'connect');
      const fd = fdOf(conn);
      expect(isNonBlocking(fd)).toBe(true);
      expect(getsockname(fd)).toMatchObject({ family: AF_INET, address: '127.0.0.1', port });
      expect(getpeername(fd)).toMatchObject({ port: client.localPort });
      client.write('from a node client');
      const buf = Buffer.alloc(64);
      const n = await recvSoon(fd, buf);
      expect(buf.toString('utf8', 0, n)).toBe('from a node client');
      const reply = once(client, 'data');
      expect(send(fd, Buffer.from('from recv/send'))).toBe(14);
      expect(String((await reply)[0])).toBe('from recv/send');
    } finally {
      const closed = [once(conn, 'close'), once(client, 'close')];
      conn.destroy();
      client.destroy();
      await Promise.all(closed);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
