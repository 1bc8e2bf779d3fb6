// Lesson: SO_REUSEPORT spreads one port's connections over several threads.
//
// Each worker_thread opens its own listening socket, sets SO_REUSEPORT, binds
// the same address and port, and runs its own blocking epoll loop, exactly as
// one process per core would in C. The kernel hashes each new connection to
// one of the listening sockets, so the workers share the load with no lock and
// no thundering herd. The main thread stops a worker blocked in epoll_wait
// the only way anything can: by making an fd in its epoll set readable (here
// an eventfd), since worker.terminate() cannot interrupt a system call.
// Run: npx tsx examples/5-performance/33-reuseport-workers.ts [workers] [port] [seconds] [clients]
// It connects `clients` (default 100) echo clients itself, then stops; with 0
// it serves others (nc 127.0.0.1 <port>) until the time is up or Ctrl-C.
import { once } from 'node:events';
import * as net from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  AF_INET,
  EFD_NONBLOCK,
  EPOLLIN,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEPORT,
  accept4,
  bind,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  eventfd,
  getsockname,
  listen,
  read,
  setsockopt,
  socket,
  write,
  type SockaddrIn,
} from 'posix-sockets';

/** A listening socket that shares its port with the other workers'. */
function reusePortListener(port: number): number {
  const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, true); // before bind, on every socket of the group
  bind(fd, { family: AF_INET, address: '127.0.0.1', port });
  listen(fd, 1024);
  return fd;
}

/** One worker: a level-triggered echo loop until its stop eventfd turns readable. */
function serve(id: number, port: number, stopFd: number): void {
  const lfd = reusePortListener(port);
  parentPort!.postMessage({ id, port: (getsockname(lfd) as SockaddrIn).port });
  const epfd = epoll_create1();
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, EPOLLIN);
  epoll_ctl(epfd, EPOLL_CTL_ADD, stopFd, EPOLLIN);
  const events = new Uint32Array(2 * 256);
  const buf = Buffer.allocUnsafe(16 * 1024);
  let accepted = 0;
  for (let running = true; running; ) {
    const n = epoll_wait(epfd, events, 256, -1);
    for (let i = 0; i < n; i++) {
      const fd = events[2 * i + 1]!;
      if (fd === stopFd) {
        running = false;
      } else if (fd === lfd) {
        for (let c; (c = accept4(lfd, null, null, SOCK_NONBLOCK)) !== -1; accepted++) epoll_ctl(epfd, EPOLL_CTL_ADD, c, EPOLLIN);
      } else {
        const r = read(fd, buf);
        if (r > 0) write(fd, buf, r); // small echoes: the send buffer has room
        else if (r === 0) {
          epoll_ctl(epfd, EPOLL_CTL_DEL, fd);
          close(fd);
        }
      }
    }
  }
  close(epfd);
  close(lfd);
  parentPort!.postMessage({ id, accepted });
}

if (!isMainThread) {
  const { id, port, stopFd } = workerData as { id: number; port: number; stopFd: number };
  serve(id, port, stopFd);
} else {
  const count = Number(process.argv[2] ?? 2);
  const seconds = Number(process.argv[4] ?? 10);
  const clients = Number(process.argv[5] ?? 100);
  // Port 0 would give each socket its own port: pick one free port first.
  const probe = reusePortListener(Number(process.argv[3] ?? 0));
  const port = (getsockname(probe) as SockaddrIn).port;
  const stopFds = Array.from({ length: count }, () => eventfd(0, EFD_NONBLOCK));
  // Each worker runs this same file; tsx/cjs lets it load TypeScript too.
  const self = `require('tsx/cjs'); require(${JSON.stringify(__filename)});`;
  const workers = stopFds.map((stopFd, id) => new Worker(self, { eval: true, workerData: { id, port, stopFd } }));
  let ready = 0;
  const accepted: number[] = [];
  for (const w of workers) {
    w.on('message', (m: { id: number; port?: number; accepted?: number }) => {
      if (m.port !== undefined && ++ready === count) {
        close(probe); // the workers' sockets now hold the port
        console.log(`${count} workers share port: ${port}`);
        if (clients > 0) void echoClients(port, clients).then(stop);
      }
      if (m.accepted !== undefined) accepted[m.id] = m.accepted;
    });
  }
  /** `n` clients, each sending one line and waiting for its echo. */
  async function echoClients(port: number, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const s = net.connect(port, '127.0.0.1');
      await once(s, 'connect');
      s.end(`hello ${i}`);
      await once(s, 'data');
      s.destroy();
    }
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const one = new BigUint64Array([1n]);
    for (const fd of stopFds) write(fd, one);
    void Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve)))).then(() => {
      for (const fd of stopFds) close(fd);
      console.log(`connections accepted per worker: ${JSON.stringify(accepted)}`);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  setTimeout(stop, seconds * 1000).unref();
}
