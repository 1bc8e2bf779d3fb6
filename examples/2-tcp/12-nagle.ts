// Lesson: Nagle's algorithm meets delayed ACKs; TCP_NODELAY turns Nagle off.
//
// With Nagle (the default), a small segment is held back while an earlier one
// is still unacknowledged. The receiver, meanwhile, delays its ACK (40 ms at
// first on Linux, adaptively up to 200 ms) hoping to piggyback it on a reply. A client that writes a
// request in two small pieces ("write, write, read") then waits: its second
// piece waits for the ACK of the first, and the server cannot reply before it
// has both. TCP_NODELAY sends each write at once. (Better still: one write,
// writev, or TCP_CORK / MSG_MORE to gather pieces on purpose.)
// Run: npx tsx examples/2-tcp/12-nagle.ts [rounds]
import {
  AF_INET,
  IPPROTO_TCP,
  SOCK_STREAM,
  TCP_NODELAY,
  bind,
  close,
  connect,
  getsockname,
  getsockopt,
  listen,
  read,
  setsockopt,
  socket,
  write,
  type SockaddrIn,
} from 'posix-sockets';
import { Worker } from 'node:worker_threads';

const rounds = Number(process.argv[2] ?? 20);

/** Median milliseconds per request of `rounds` write-write-read requests. */
async function measure(nodelay: boolean): Promise<number> {
  const lfd = socket(AF_INET, SOCK_STREAM);
  bind(lfd, { family: AF_INET, address: '127.0.0.1', port: 0 });
  listen(lfd);
  // The server runs in a worker: it reads a 4-byte header and a 4-byte body,
  // then answers 4 bytes, with blocking calls.
  const server = new Worker(
    `const ps = require(${JSON.stringify(require.resolve('posix-sockets'))});
     const { workerData: { lfd, rounds } } = require('node:worker_threads');
     const fd = ps.accept(lfd);
     const buf = Buffer.alloc(8);
     for (let i = 0; i < rounds; i++) {
       for (let got = 0; got < 8; ) got += ps.read(fd, buf, 8 - got, got);
       ps.write(fd, buf, 4);
     }
     ps.close(fd);`,
    { eval: true, workerData: { lfd, rounds } },
  );
  const fd = socket(AF_INET, SOCK_STREAM);
  if (nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, true);
  connect(fd, getsockname(lfd) as SockaddrIn);
  const header = Buffer.from('HEAD');
  const body = Buffer.from('BODY');
  const reply = Buffer.alloc(4);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    write(fd, header); // two small writes ...
    write(fd, body);
    for (let got = 0; got < 4; ) got += read(fd, reply, 4 - got, got); // ... then wait for the reply
    times.push(performance.now() - t);
  }
  console.log(`TCP_NODELAY ${getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)}:`);
  close(fd);
  await new Promise((resolve) => server.once('exit', resolve));
  close(lfd);
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

void (async () => {
  const nagle = await measure(false);
  console.log(`  write-write-read with Nagle: median ${nagle.toFixed(2)} ms per request`);
  const nodelay = await measure(true);
  console.log(`  write-write-read with TCP_NODELAY: median ${nodelay.toFixed(2)} ms per request`);
})();
