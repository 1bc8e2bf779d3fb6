// Lesson: "write returned" does not mean "the peer received".
//  1. SO_SNDBUF set to 16384 reads back as 32768: the kernel doubles what it
//     is given, to leave room for its own bookkeeping (socket(7)).
//  2. Write to a peer that never reads, non-blocking, until write returns -1
//     (EAGAIN) and keeps returning it: every byte written was accepted, and
//     the total is what the two buffers on the way hold, the peer's receive
//     queue (FIONREAD) and our own send queue (SIOCOUTQ). A blocking write
//     would wait here.
//  3. SIOCOUTQ counts the bytes in our send queue that the peer has not yet
//     acknowledged: written, returned, and still not there (the peer's
//     window is closed). When the peer reads, its window opens and the queue
//     empties to 0.
// Run: npx tsx examples/2-tcp/11-send-buffer.ts
import { FIONREAD, MSG_DONTWAIT, SIOCOUTQ, SOL_SOCKET, SO_SNDBUF, close, getsockoptInt, ioctl, recv, setNonBlocking, setsockopt, write } from 'posix-sockets';
import { expectFact, finish, tcpPair } from '../common/lesson.js';

const asked = 16384;
const { client, server } = tcpPair((fd) => setsockopt(fd, SOL_SOCKET, SO_SNDBUF, asked)); // before connect, as tcp(7) advises
const sndbuf = getsockoptInt(client, SOL_SOCKET, SO_SNDBUF);
console.log(`1. setsockopt(SO_SNDBUF, ${asked}), then getsockopt reads ${sndbuf}: the kernel doubled it`);
expectFact(sndbuf === 2 * asked, 'SO_SNDBUF should read back doubled');

setNonBlocking(client, true);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const chunk = Buffer.alloc(4096, 0x78);
const burst = () => {
  let total = 0;
  for (let n; (n = write(client, chunk)) > 0; ) total += n;
  return total; // write returned -1: EAGAIN, the send buffer is full for now
};
let written = burst();
const firstBurst = written;
const unackedAtFirst = ioctl(client, SIOCOUTQ);
// As the peer's kernel acknowledges, our buffer frees and write takes more,
// until the peer's receive queue is full and its window closes.
let rounds = 1;
for (let quiet = 0; quiet < 3 && rounds < 200; rounds++) {
  sleep(20);
  const more = burst();
  written += more;
  quiet = more === 0 ? quiet + 1 : 0;
}
const inPeer = ioctl(server, FIONREAD);
const unacked = ioctl(client, SIOCOUTQ);
console.log(
  `2. the peer never reads: write returned -1 (EAGAIN) after ${firstBurst} bytes, and again after each of ${rounds - 1} retries, until the total stopped at ${written}; ` +
    `${inPeer} of them wait in the peer's receive queue (FIONREAD) and ${unacked} in our send queue (SIOCOUTQ); a blocking write would wait here`,
);
expectFact(inPeer > 0 && inPeer + unacked === written, 'the bytes written should all be in one of the two queues');
console.log(
  `3. write returned for all ${written} bytes, but ${unacked} of them the peer has not acknowledged (at the first EAGAIN it was ${unackedAtFirst}): "sent" is not "received"`,
);
expectFact(unacked > 0, 'SIOCOUTQ should show bytes not yet acknowledged while the peer does not read');

const sink = Buffer.alloc(65536);
let drained = 0;
for (let spins = 0; spins < 500 && (drained < written || ioctl(client, SIOCOUTQ) > 0); spins++) {
  const n = recv(server, sink, sink.length, MSG_DONTWAIT);
  if (n > 0) drained += n;
  else sleep(2);
}
const after = ioctl(client, SIOCOUTQ);
console.log(`   the peer read ${drained} bytes; now SIOCOUTQ is ${after}: every byte acknowledged`);
expectFact(drained === written && after === 0, 'after the peer reads everything the send queue should be empty');
close(client);
close(server);
finish('the send buffer: a write is done when the kernel has the bytes, not when the peer has them');
