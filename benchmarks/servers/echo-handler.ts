// The echo server's per-event logic through the addon: benchmarks/c/
// echo-server.c function for function (watch, close_conn, accept_all,
// keep_pending, on_readable, on_writable, on_event), so that the C and the
// TypeScript servers make the same system calls for the same traffic. The
// drivers (addon-blocking.ts, addon-loop.ts, addon-poll.ts) only differ in
// how they wait.
//
// Nothing here allocates per event: one read buffer for all connections,
// arrays indexed by fd, and a copy only for the rest of a short write.
import {
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  IPPROTO_TCP,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_SNDBUF,
  TCP_NODELAY,
  accept4,
  close,
  read,
  write,
} from 'posix-sockets';
import { api } from './api.js';
import type { ServerArgs } from './args.js';

/** Interest changes: epoll_ctl, or the poll server's pollfd array. */
export type Watch = (fd: number, op: number, events: number) => void;

export interface EchoOptions {
  /** 'et' registers once, edge-triggered, and drains; 'lt' and 'poll' read once per wake-up. */
  et: boolean;
  lfd: number;
  buf: number;
  nodelay: boolean;
  sndbuf: number;
  watch: Watch;
  /** Called when fd 0 (the runner's pipe) is readable: the runner wants the server gone. */
  onStdin: () => void;
}

export interface EchoHandler {
  onEvent(fd: number, ev: number): void;
  /** Connections open now. */
  open(): number;
}

export function createEchoHandler(o: EchoOptions): EchoHandler {
  const { et, lfd, watch, onStdin } = o;
  const buf = Buffer.allocUnsafe(o.buf);
  const pending: Array<Buffer | null> = [];
  const pendingOff: number[] = [];
  const sockopt = api('sockopt');
  if ((o.nodelay || o.sndbuf) && !sockopt) {
    process.stderr.write('note: setsockopt is not in this build: TCP_NODELAY/SO_SNDBUF left at their defaults\n');
  }
  const setNodelay = o.nodelay && sockopt !== null;
  const setSndbuf = o.sndbuf > 0 && sockopt !== null;
  let open = 0;

  function closeConn(fd: number): void {
    pending[fd] = null;
    watch(fd, EPOLL_CTL_DEL, 0);
    close(fd);
    open--;
  }

  function acceptAll(): void {
    for (;;) {
      let fd: number;
      try {
        fd = accept4(lfd, null, null, SOCK_NONBLOCK);
      } catch {
        return; // EMFILE and the like: retry on the next wake-up, as the C server does
      }
      if (fd < 0) return; // queue drained
      if (setNodelay) sockopt.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      if (setSndbuf) sockopt.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, o.sndbuf);
      while (pending.length <= fd) {
        pending.push(null);
        pendingOff.push(0);
      }
      open++;
      watch(fd, EPOLL_CTL_ADD, et ? EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET : EPOLLIN);
    }
  }

  // Keeps buf[off, len) for later: the peer is not reading fast enough.
  function keepPending(fd: number, off: number, len: number): void {
    const rest = Buffer.allocUnsafe(len - off);
    buf.copy(rest, 0, off, len);
    pending[fd] = rest;
    pendingOff[fd] = 0;
    if (!et) watch(fd, EPOLL_CTL_MOD, EPOLLOUT);
  }

  // Returns false when the connection was closed. read and write throw only
  // for real errors (ECONNRESET, EPIPE): the C server's "n < 0 && errno !=
  // EAGAIN" branch.
  function onReadable(fd: number): boolean {
    for (;;) {
      let n: number;
      let w: number;
      try {
        n = read(fd, buf);
        if (n <= 0) {
          if (n < 0) return true; // would block
          closeConn(fd); // EOF
          return false;
        }
        w = write(fd, buf, n);
      } catch {
        closeConn(fd);
        return false;
      }
      if (w < 0) w = 0;
      if (w < n) {
        keepPending(fd, w, n);
        return true;
      }
      if (!et) return true; // LT: one read per wake-up; the kernel wakes us again for the rest
    }
  }

  function onWritable(fd: number): boolean {
    const rest = pending[fd] as Buffer;
    let w: number;
    try {
      w = write(fd, rest, rest.length - pendingOff[fd], pendingOff[fd]);
    } catch {
      closeConn(fd);
      return false;
    }
    if (w < 0) return true;
    pendingOff[fd] += w;
    if (pendingOff[fd] < rest.length) return true;
    pending[fd] = null;
    if (!et) {
      watch(fd, EPOLL_CTL_MOD, EPOLLIN);
      return true;
    }
    return onReadable(fd); // ET: the EPOLLIN edges that came meanwhile were ignored; drain now
  }

  function onEvent(fd: number, ev: number): void {
    if (fd === lfd) {
      acceptAll();
      return;
    }
    if (fd === 0) {
      onStdin();
      return;
    }
    if (ev & (EPOLLERR | EPOLLHUP)) {
      closeConn(fd);
      return;
    }
    if (pending[fd] !== null) {
      // Back-pressure: no reading until the rest is written. ET also reports
      // EPOLLOUT edges when nothing is pending; those need no work.
      if (ev & EPOLLOUT) onWritable(fd);
      return;
    }
    if (ev & (EPOLLIN | EPOLLRDHUP)) onReadable(fd);
  }

  return { onEvent, open: () => open };
}

/**
 * What every driver does before its loop: the handler for the command line's
 * options, the listening socket (and, with --watch-stdin, fd 0) watched for
 * EPOLLIN, and "ready <port>" for the runner.
 */
export function startEcho(args: ServerArgs, lfd: number, port: number, watch: Watch, onStdin: () => void): EchoHandler {
  const handler = createEchoHandler({
    et: args.mode === 'et',
    lfd,
    buf: args.buf,
    nodelay: args.nodelay,
    sndbuf: args.sndbuf,
    watch,
    onStdin,
  });
  watch(lfd, EPOLL_CTL_ADD, EPOLLIN);
  if (args.watchStdin) watch(0, EPOLL_CTL_ADD, EPOLLIN);
  process.stdout.write(`ready ${port}\n`);
  return handler;
}
