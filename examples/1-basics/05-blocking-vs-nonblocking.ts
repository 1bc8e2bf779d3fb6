// Lesson: a blocking call waits; a non-blocking one returns -1 at once.
//
// The same recv() on an empty socket either puts the thread to sleep until
// data arrives (blocking, the default) or returns -1 with errno EAGAIN
// (O_NONBLOCK, SOCK_NONBLOCK or MSG_DONTWAIT); this library hands back -1
// rather than throwing. A blocking call here blocks the whole JS thread,
// timers included, exactly as it blocks a C program, so a worker thread plays
// the peer that sends after a delay.
// Run: npx tsx examples/1-basics/05-blocking-vs-nonblocking.ts
import { Worker } from 'node:worker_threads';
import { AF_UNIX, MSG_DONTWAIT, SOCK_STREAM, close, recv, setNonBlocking, socketpair } from 'posix-sockets';

const [mine, theirs] = socketpair(AF_UNIX, SOCK_STREAM);
const buf = Buffer.alloc(64);

let t = performance.now();
console.log(`recv(MSG_DONTWAIT) on an empty socket: ${recv(mine, buf, buf.length, MSG_DONTWAIT)} after ${(performance.now() - t).toFixed(2)} ms`);

setNonBlocking(mine);
t = performance.now();
console.log(`recv() with O_NONBLOCK set: ${recv(mine, buf)} after ${(performance.now() - t).toFixed(2)} ms`);
setNonBlocking(mine, false);

// A peer in another thread sends after 200 ms, using the raw fd number.
const peer = new Worker(
  `const { write } = require(${JSON.stringify(require.resolve('posix-sockets'))});
   setTimeout(() => write(${theirs}, Buffer.from('worth the wait')), 200);`,
  { eval: true },
);
t = performance.now();
const n = recv(mine, buf); // blocks this thread until the worker writes
console.log(`blocking recv() returned ${n} bytes "${buf.toString('utf8', 0, n)}" after ${(performance.now() - t).toFixed(0)} ms`);
void peer.terminate().then(() => {
  close(mine);
  close(theirs);
});
