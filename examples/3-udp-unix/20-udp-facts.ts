// Lesson: what UDP is, in five facts a program can observe on loopback.
//  1. One socket serves many peers: recvfrom names each sender, and sendto
//     answers it; there is no accept and no socket per client.
//  2. Boundaries are kept: each recvfrom returns one whole datagram, as
//     sent, an empty one included (0 bytes is a datagram, not end of file).
//  3. A datagram longer than the buffer is cut short and the rest is gone;
//     MSG_TRUNC makes recvfrom return the real length.
//  4. Errors: a datagram to a port nobody has bound draws an ICMP "port
//     unreachable". A connected UDP socket gets it as ECONNREFUSED on its
//     next call; an unconnected one never hears of it.
//  5. No flow control: a fast sender is never slowed down, and what the
//     receiver's buffer cannot hold is dropped, silently.
// Run: npx tsx examples/3-udp-unix/20-udp-facts.ts
import { expectFact as expect, finish, outcome } from '../common/lesson.js';
import {
  AF_INET,
  MSG_DONTWAIT,
  MSG_TRUNC,
  SOCK_DGRAM,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_RCVTIMEO,
  bind,
  close,
  connect,
  getsockname,
  getsockoptInt,
  recv,
  recvfrom,
  send,
  sendto,
  setsockopt,
  socket,
  type SockaddrIn,
} from 'posix-sockets';

const loopback: SockaddrIn = { family: AF_INET, address: '127.0.0.1', port: 0 };
const nameOf = (fd: number) => getsockname(fd) as SockaddrIn;
const udp = () => {
  const fd = socket(AF_INET, SOCK_DGRAM, 0);
  bind(fd, loopback);
  return fd;
};
const buf = Buffer.alloc(65536);

// 1. One socket, many peers.
{
  const server = udp();
  const clients = [udp(), udp(), udp()];
  clients.forEach((fd, i) => sendto(fd, Buffer.from(`client ${i}`), undefined, 0, nameOf(server)));
  const ports: number[] = [];
  for (let i = 0; i < clients.length; i++) {
    const { bytes, address } = recvfrom(server, buf);
    const from = address as SockaddrIn;
    ports.push(from.port);
    sendto(server, Buffer.from(`reply to ${buf.toString('utf8', 0, bytes)}`), undefined, 0, from);
  }
  const replies = clients.map((fd) => buf.toString('utf8', 0, recv(fd, buf)));
  console.log(`1. one socket, ${ports.length} peers (ports ${ports.join(', ')}): each got its own reply: ${JSON.stringify(replies)}`);
  expect(new Set(ports).size === 3 && replies.every((r, i) => r === `reply to client ${i}`), 'each client should get its own reply');
  [server, ...clients].forEach((fd) => close(fd));
}

// 2. Boundaries kept, an empty datagram included.
{
  const rx = udp();
  const tx = socket(AF_INET, SOCK_DGRAM, 0);
  const sizes = [1, 0, 1000, 100];
  for (const size of sizes) sendto(tx, Buffer.alloc(size, 0x61), undefined, 0, nameOf(rx));
  const got = sizes.map(() => recvfrom(rx, buf).bytes);
  console.log(`2. sent datagrams of ${sizes.join(', ')} bytes; the recvfroms returned ${got.join(', ')} (one datagram each; 0 is an empty datagram, not EOF)`);
  expect(got.join() === sizes.join(), 'each recvfrom should return one whole datagram');
  close(rx);
  close(tx);
}

// 3. Truncation.
{
  const rx = udp();
  const tx = socket(AF_INET, SOCK_DGRAM, 0);
  const small = Buffer.alloc(10);
  for (let i = 0; i < 2; i++) sendto(tx, Buffer.alloc(100, 0x62), undefined, 0, nameOf(rx));
  const plain = recvfrom(rx, small, small.length, 0).bytes;
  const real = recvfrom(rx, small, small.length, MSG_TRUNC).bytes;
  const after = recvfrom(rx, small, small.length, MSG_DONTWAIT).bytes;
  console.log(
    `3. a 100-byte datagram into a 10-byte buffer: recvfrom returned ${plain}; with MSG_TRUNC it returned ${real} (the real length); the other ${real - plain} bytes are gone (the next recvfrom: ${after}, nothing waiting)`,
  );
  expect(plain === 10 && real === 100 && after === -1, 'the datagram should be cut to the buffer and the rest dropped');
  close(rx);
  close(tx);
}

// 4. ICMP port unreachable: ECONNREFUSED for a connected socket only.
{
  const gone = udp();
  const nobody = nameOf(gone);
  close(gone); // the port is free again: nobody listens there
  const connected = socket(AF_INET, SOCK_DGRAM, 0);
  connect(connected, nobody);
  setsockopt(connected, SOL_SOCKET, SO_RCVTIMEO, { sec: 1, usec: 0 });
  const sent = send(connected, Buffer.from('anyone?'));
  const connectedRecv = outcome(() => recv(connected, buf));
  const unconnected = socket(AF_INET, SOCK_DGRAM, 0);
  setsockopt(unconnected, SOL_SOCKET, SO_RCVTIMEO, { sec: 0, usec: 200_000 });
  const sentTo = sendto(unconnected, Buffer.from('anyone?'), undefined, 0, nobody);
  const unconnectedRecv = outcome(() => recvfrom(unconnected, buf).bytes);
  console.log(
    `4. to port ${nobody.port}, where nobody listens: the connected socket's send returned ${sent}, then its recv threw ${connectedRecv}; ` +
      `the unconnected socket's sendto returned ${sentTo}, and its recvfrom ${unconnectedRecv} after 200 ms (the error is not reported to it)`,
  );
  expect(connectedRecv === 'ECONNREFUSED', 'the connected socket should get ECONNREFUSED');
  expect(unconnectedRecv === 'returned -1', 'the unconnected socket should hear nothing');
  close(connected);
  close(unconnected);
}

// 5. No flow control: a fast sender, a small receive buffer.
{
  const rx = socket(AF_INET, SOCK_DGRAM, 0);
  setsockopt(rx, SOL_SOCKET, SO_RCVBUF, 4096);
  bind(rx, loopback);
  const rcvbuf = getsockoptInt(rx, SOL_SOCKET, SO_RCVBUF);
  const tx = socket(AF_INET, SOCK_DGRAM, 0);
  connect(tx, nameOf(rx));
  const count = 1000;
  const payload = Buffer.alloc(100, 0x63);
  let accepted = 0;
  for (let i = 0; i < count; i++) if (send(tx, payload) === payload.length) accepted++;
  let received = 0;
  while (recv(rx, buf, buf.length, MSG_DONTWAIT) >= 0) received++;
  console.log(
    `5. sent ${count} datagrams of ${payload.length} bytes as fast as possible, and ${accepted} sends succeeded; the receiver (SO_RCVBUF ${rcvbuf}) got ${received}: ${count - received} lost, and no call told the sender`,
  );
  expect(accepted === count && received > 0 && received < count, 'every send should succeed while the receiver loses some');
  close(rx);
  close(tx);
}

finish('UDP: one socket for every peer, each datagram whole or cut, no delivery promised, no flow control');
