// Signal storms against each blocking call: while this thread waits in
// accept, recv, connect, epoll_wait or poll, a worker sends SIGUSR2 (a JS
// listener installed, so each one interrupts the wait) 50 times, 4 ms
// apart. Each call must neither return early nor report EINTR: EINTR is
// retried (PEP 475), and each wait keeps at least its full timeout. The
// timeouts make every wait end by itself: SO_RCVTIMEO / SO_SNDTIMEO for the
// socket calls (each retry starts the socket timeout anew, as a C loop
// around EINTR would), the timeout argument for epoll_wait and poll (whose
// retry waits only for the time that remains).
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EPOLLIN,
  EPOLL_CTL_ADD,
  EpollEvents,
  POLLIN,
  PollFds,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  SO_SNDTIMEO,
  accept,
  bind,
  connect,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  eventfd,
  listen,
  poll,
  recv,
  setsockopt,
  socket,
  socketpair,
} from '../lib/index.js';
import { closeAll, loopback } from './helpers.js';
import { waitUnderSignals } from './signals.js';

const TIMEOUT = 500; // ms
const SIGNALS = 50;
const EVERY = 4; // ms: the storm lasts ~200 ms of the wait
// Generous bounds for a loaded 2-core machine: never early, and not much
// more than one timeout after the last signal.
const LATEST_SOCKET = TIMEOUT + SIGNALS * EVERY + 400;

/** A wait's outcome under the storm; a thrown error is returned as its code. */
async function storm(wait: () => number): Promise<{ result: number | string; waitedMs: number; interruptions: number }> {
  const w = await waitUnderSignals(() => {
    try {
      return wait();
    } catch (e) {
      return (e as { code: string }).code as unknown as number;
    }
  }, SIGNALS, EVERY);
  return { result: w.result, waitedMs: w.waitedMs, interruptions: w.interruptions };
}

describe('blocking calls under a signal storm keep their full timeout', () => {
  it('accept on a blocking listener with SO_RCVTIMEO: -1 (EAGAIN) after the timeout', async () => {
    const lfd = socket(AF_INET, SOCK_STREAM);
    try {
      bind(lfd, loopback(AF_INET));
      listen(lfd, 1);
      setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT);
      const w = await storm(() => accept(lfd));
      expect(w.result).toBe(-1);
      expect(w.interruptions).toBeGreaterThanOrEqual(5);
      expect(w.waitedMs).toBeGreaterThanOrEqual(TIMEOUT - 5);
      expect(w.waitedMs).toBeLessThan(LATEST_SOCKET);
    } finally {
      closeAll(lfd);
    }
  });

  it('recv on a blocking socket with SO_RCVTIMEO: -1 (EAGAIN) after the timeout', async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT);
      const w = await storm(() => recv(a, Buffer.alloc(16)));
      expect(w.result).toBe(-1);
      expect(w.interruptions).toBeGreaterThanOrEqual(5);
      expect(w.waitedMs).toBeGreaterThanOrEqual(TIMEOUT - 5);
      expect(w.waitedMs).toBeLessThan(LATEST_SOCKET);
    } finally {
      closeAll(a, b);
    }
  });

  it('connect (AF_UNIX, the listener queue full) with SO_SNDTIMEO: EAGAIN after the timeout, never 0', async () => {
    const name = `\0ps-storm-${process.pid}`;
    const lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    const filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    const fd = socket(AF_UNIX, SOCK_STREAM);
    try {
      bind(lfd, { family: AF_UNIX, path: name });
      listen(lfd, 0);
      connect(filler, { family: AF_UNIX, path: name });
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, TIMEOUT);
      const w = await storm(() => connect(fd, { family: AF_UNIX, path: name }));
      expect(w.result).toBe('EAGAIN');
      expect(w.interruptions).toBeGreaterThanOrEqual(5);
      expect(w.waitedMs).toBeGreaterThanOrEqual(TIMEOUT - 5);
      expect(w.waitedMs).toBeLessThan(LATEST_SOCKET);
    } finally {
      closeAll(fd, filler, lfd);
    }
  });

  it('epoll_wait: 0 after the whole timeout, the retries waiting only for what remains', async () => {
    const epfd = epoll_create1(0);
    const efd = eventfd(0);
    try {
      epoll_ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
      const events = new EpollEvents(4);
      const w = await storm(() => epoll_wait(epfd, events, 4, TIMEOUT));
      expect(w.result).toBe(0);
      expect(w.interruptions).toBeGreaterThanOrEqual(5);
      expect(w.waitedMs).toBeGreaterThanOrEqual(TIMEOUT - 5);
      expect(w.waitedMs).toBeLessThan(TIMEOUT + 150); // a restarted timeout would end after 700 ms
    } finally {
      closeAll(efd, epfd);
    }
  });

  it('poll: 0 after the whole timeout, the retries waiting only for what remains', async () => {
    const efd = eventfd(0);
    try {
      const fds = new PollFds(1);
      fds.set(0, efd, POLLIN);
      const w = await storm(() => poll(fds, 1, TIMEOUT));
      expect(w.result).toBe(0);
      expect(w.interruptions).toBeGreaterThanOrEqual(5);
      expect(w.waitedMs).toBeGreaterThanOrEqual(TIMEOUT - 5);
      expect(w.waitedMs).toBeLessThan(TIMEOUT + 150);
    } finally {
      closeAll(efd);
    }
  });
});
