// The queue-size ioctls (FIONREAD/SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, FIONBIO)
// with known byte counts over loopback, and SO_ERROR after a non-blocking
// connect. Waiting for data is done by the kernel (a blocking recv with
// MSG_PEEK | MSG_WAITALL returns once that many bytes are queued), never by
// sleeping.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  ECONNREFUSED,
  FIONBIO,
  FIONREAD,
  IPPROTO_TCP,
  MSG_PEEK,
  MSG_WAITALL,
  SIOCINQ,
  SIOCOUTQ,
  SIOCOUTQNSD,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  SocketError,
  TCP_REPAIR,
  TCP_REPAIR_QUEUE,
  TCP_SEND_QUEUE,
  bind,
  close,
  connect,
  getTcpInfo,
  getsockopt,
  ioctl,
  isNonBlocking,
  pipe,
  recv,
  send,
  sendto,
  setsockopt,
  socket,
  write,
} from '../lib/index.js';
import { closeAll, listening, loopback, portOf, tcpPair } from './helpers.js';

/** Blocks until `n` bytes are queued on `fd` (TCP): the kernel does the waiting. */
function waitForBytes(fd: number, n: number): void {
  expect(recv(fd, Buffer.alloc(n), undefined, MSG_PEEK | MSG_WAITALL)).toBe(n);
}

/**
 * Waits until a non-blocking connect on `fd` has an outcome: the point where
 * poll(2) or epoll would report the socket writable. poll belongs to the
 * epoll module, so this reads the state TCP_INFO reports instead, which
 * leaves SYN_SENT at that same moment. It spins rather than sleeps, so it
 * cannot race; on loopback the answer is there after a few reads at most.
 */
function waitForConnect(fd: number): void {
  for (let i = 0; i < 10_000_000; i++) {
    if (getTcpInfo(fd).state !== 'SYN_SENT') return;
  }
  throw new Error('connect still in progress after 10 million checks');
}

describe('SO_ERROR after a non-blocking connect', () => {
  it('reads ECONNREFUSED once a connect to a closed port has failed, then 0 (reading clears it)', () => {
    // A bound socket that does not listen: its port answers SYN with RST,
    // and nothing else can take the port while it is held.
    const closed = socket(AF_INET, SOCK_STREAM);
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    try {
      bind(closed, loopback(AF_INET));
      let r: number;
      try {
        r = connect(fd, loopback(AF_INET, portOf(closed)));
      } catch (e) {
        // Loopback may refuse before connect even returns; both are correct.
        expect(e).toMatchObject({ code: 'ECONNREFUSED' });
        return;
      }
      expect(r).toBe(-1); // EINPROGRESS
      waitForConnect(fd);
      expect(getsockopt(fd, SOL_SOCKET, SO_ERROR)).toBe(ECONNREFUSED);
      expect(getsockopt(fd, SOL_SOCKET, SO_ERROR)).toBe(0);
    } finally {
      closeAll(fd, closed);
    }
  });

  it('reads 0 once a connect to a listening port has succeeded', () => {
    const lfd = listening();
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    try {
      const r = connect(fd, loopback(AF_INET, portOf(lfd)));
      expect(r === -1 || r === 0).toBe(true);
      waitForConnect(fd);
      expect(getsockopt(fd, SOL_SOCKET, SO_ERROR)).toBe(0);
      expect(getTcpInfo(fd).state).toBe('ESTABLISHED');
    } finally {
      closeAll(fd, lfd);
    }
  });
});

describe('FIONREAD / SIOCINQ: bytes waiting to be read', () => {
  it('counts the bytes queued on a TCP socket', () => {
    expect(SIOCINQ).toBe(FIONREAD); // one request, two names
    const { client, server } = tcpPair();
    try {
      expect(ioctl(server, FIONREAD)).toBe(0);
      expect(send(client, Buffer.alloc(1234, 1))).toBe(1234);
      waitForBytes(server, 1234);
      expect(ioctl(server, FIONREAD)).toBe(1234);
      expect(ioctl(server, SIOCINQ)).toBe(1234);
      expect(send(client, Buffer.alloc(766, 2))).toBe(766);
      waitForBytes(server, 2000);
      expect(ioctl(server, FIONREAD)).toBe(2000);
      expect(recv(server, Buffer.alloc(1500))).toBe(1500);
      expect(ioctl(server, FIONREAD)).toBe(500);
      expect(recv(server, Buffer.alloc(500), undefined, MSG_WAITALL)).toBe(500);
      expect(ioctl(server, FIONREAD)).toBe(0);
    } finally {
      closeAll(client, server);
    }
  });

  it('gives the size of the next datagram on a UDP socket, not the total', () => {
    const rx = socket(AF_INET, SOCK_DGRAM);
    const tx = socket(AF_INET, SOCK_DGRAM);
    try {
      bind(rx, loopback(AF_INET));
      const to = loopback(AF_INET, portOf(rx));
      sendto(tx, Buffer.alloc(100), undefined, 0, to);
      sendto(tx, Buffer.alloc(200), undefined, 0, to);
      // A blocking peek returns when the first datagram is there.
      expect(recv(rx, Buffer.alloc(1), undefined, MSG_PEEK)).toBe(1);
      expect(ioctl(rx, FIONREAD)).toBe(100);
      expect(recv(rx, Buffer.alloc(1000))).toBe(100);
      expect(recv(rx, Buffer.alloc(1), undefined, MSG_PEEK)).toBe(1);
      expect(ioctl(rx, FIONREAD)).toBe(200);
      expect(recv(rx, Buffer.alloc(1000))).toBe(200);
    } finally {
      closeAll(rx, tx);
    }
  });

  it('works on a pipe too, and EINVAL on a listening socket', () => {
    const [r, w] = pipe();
    try {
      expect(write(w, Buffer.from('hello'))).toBe(5);
      expect(ioctl(r, FIONREAD)).toBe(5);
    } finally {
      closeAll(r, w);
    }
    const lfd = listening();
    try {
      expect(() => ioctl(lfd, SIOCINQ)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl' }));
    } finally {
      close(lfd);
    }
  });
});

describe('SIOCOUTQ / SIOCOUTQNSD: bytes in the send queue', () => {
  it('are 0 on a connection that has sent nothing', () => {
    const { client, server } = tcpPair();
    try {
      expect(ioctl(client, SIOCOUTQ)).toBe(0);
      expect(ioctl(client, SIOCOUTQNSD)).toBe(0);
    } finally {
      closeAll(client, server);
    }
  });

  it('count bytes the peer has not acknowledged: a TCP_REPAIR send queue holds them (CAP_NET_ADMIN)', (ctx) => {
    // In repair mode (tcp(7), used by checkpoint/restore) send() fills the
    // send queue and marks the bytes sent without transmitting them, so
    // they stay unacknowledged for as long as the test looks: an exact
    // count that no ACK can race.
    const { client, server } = tcpPair();
    try {
      try {
        setsockopt(client, IPPROTO_TCP, TCP_REPAIR, 1);
      } catch (e) {
        if (e instanceof SocketError && e.code === 'EPERM') ctx.skip('TCP_REPAIR needs CAP_NET_ADMIN (EPERM)');
        throw e;
      }
      expect(getsockopt(client, IPPROTO_TCP, TCP_REPAIR)).toBe(1);
      setsockopt(client, IPPROTO_TCP, TCP_REPAIR, 0);
      expect(getsockopt(client, IPPROTO_TCP, TCP_REPAIR)).toBe(0);
      setsockopt(client, IPPROTO_TCP, TCP_REPAIR, 1);
      setsockopt(client, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE);
      expect(getsockopt(client, IPPROTO_TCP, TCP_REPAIR_QUEUE)).toBe(TCP_SEND_QUEUE);
      expect(send(client, Buffer.alloc(1234, 3))).toBe(1234);
      expect(ioctl(client, SIOCOUTQ)).toBe(1234);
      expect(ioctl(client, SIOCOUTQNSD)).toBe(0); // "sent", as far as the queue knows
      expect(send(client, Buffer.alloc(66, 4))).toBe(66);
      expect(ioctl(client, SIOCOUTQ)).toBe(1300);
      expect(ioctl(server, FIONREAD)).toBe(0); // nothing went on the wire
      // Closed still in repair mode, the connection goes away silently.
    } finally {
      closeAll(client, server);
    }
  });

  it('SIOCOUTQ is ENOTTY on a pipe', () => {
    const [r, w] = pipe();
    try {
      expect(() => ioctl(w, SIOCOUTQ)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl' }));
    } finally {
      closeAll(r, w);
    }
  });
});

describe('FIONBIO', () => {
  it('sets and clears O_NONBLOCK, as fcntl does', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      expect(ioctl(fd, FIONBIO, true)).toBe(0);
      expect(isNonBlocking(fd)).toBe(true);
      expect(ioctl(fd, FIONBIO, 0)).toBe(0);
      expect(isNonBlocking(fd)).toBe(false);
    } finally {
      close(fd);
    }
  });
});
