// A client made with this API talks to a `net` server, and a `net` client
// talks to a server made with this API, in the same process. The addon's
// sockets are non-blocking here so Node's event loop keeps turning.
import * as net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept4,
  close,
  connect,
  read,
  socket,
  write,
} from '../lib/index.js';
import { closeAll, listening, loopback, portOf } from './helpers.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Reads exactly `n` bytes from a non-blocking fd, yielding to the event loop while it would block. */
async function readExactly(fd: number, n: number): Promise<Buffer> {
  const out = Buffer.alloc(n);
  let got = 0;
  for (let tries = 0; got < n && tries < 5000; tries++) {
    const r = read(fd, out, undefined, got);
    if (r === 0) throw new Error(`EOF after ${got} of ${n} bytes`);
    if (r > 0) got += r;
    else await tick();
  }
  if (got < n) throw new Error(`timed out after ${got} of ${n} bytes`);
  return out;
}

describe('interop with node:net', () => {
  it('an addon client talks to a net.createServer echo server', async () => {
    const server = net.createServer((s) => s.pipe(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    try {
      const r = connect(fd, loopback(AF_INET, port));
      expect([0, -1]).toContain(r);
      const message = Buffer.alloc(100_000);
      for (let i = 0; i < message.length; i++) message[i] = (i * 7) & 0xff;
      let sent = 0;
      const reading = readExactly(fd, message.length);
      for (let tries = 0; sent < message.length && tries < 5000; tries++) {
        const w = write(fd, message, undefined, sent);
        if (w > 0) sent += w;
        else await tick();
      }
      expect((await reading).equals(message)).toBe(true);
    } finally {
      close(fd);
      server.close();
      await once(server, 'close');
    }
  });

  it('a net client talks to a server made with socket/bind/listen/accept', async () => {
    const lfd = listening({ nonblock: true });
    let conn = -1;
    const client = net.connect(portOf(lfd), '127.0.0.1');
    try {
      await once(client, 'connect');
      for (let tries = 0; conn < 0 && tries < 5000; tries++) {
        conn = accept4(lfd, null, null, SOCK_NONBLOCK);
        if (conn < 0) await tick();
      }
      expect(conn).toBeGreaterThan(0);
      client.write('hello from net');
      const got = await readExactly(conn, 14);
      expect(got.toString()).toBe('hello from net');
      write(conn, Buffer.from('hello from the addon'));
      const [data] = await once(client, 'data');
      expect(String(data)).toBe('hello from the addon');
      close(conn);
      conn = -1;
      await once(client, 'end');
    } finally {
      closeAll(lfd, conn);
      client.destroy();
      await once(client, 'close');
    }
  });
});
