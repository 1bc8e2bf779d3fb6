// Lesson: level-triggered and edge-triggered epoll, counted.
//
// The same traffic, served three ways: a client sends 8 messages of 4096
// bytes, one after the other, and the server reads them through a buffer of
// 1024 bytes, so each message takes at least four reads. Counted for each
// way: wake-ups (epoll_wait calls that returned events), events, reads that
// returned data, and EAGAINs (reads that found nothing, -1).
//  - Level-triggered (the default), one read per event: epoll_wait reports
//    the socket for as long as bytes are unread, so each read is paid for
//    with one more epoll_wait. Correct, and simple, but two system calls per
//    buffer-full.
//  - Level-triggered, drained (read until EAGAIN): one wake-up per message
//    and one EAGAIN to learn that it is over. LT allows it; nothing needs it.
//  - Edge-triggered (EPOLLET), drained: the same numbers as LT drained,
//    because ET requires exactly that: it reports a change (new bytes
//    arrived), not a state (bytes are unread).
// Then the rule broken: an ET reader that reads once per event. It gets the
// first 1024 bytes of a message and goes back to epoll_wait, which times out
// although the socket still holds the other 3072 (ioctl FIONREAD, alias
// SIOCINQ, says how many bytes wait unread). No new edge comes for bytes
// that are already there. Each new message is a new edge and one more read,
// so the backlog grows; only a drain gets it back.
// Run: npx tsx examples/4-io-models/27-lt-vs-et.ts
import { EPOLLET, EPOLLIN, EPOLL_CTL_ADD, EpollEvents, FIONREAD, close, epoll_create1, epoll_ctl, epoll_wait, ioctl, read, setNonBlocking, write } from 'posix-sockets';
import { expectFact, finish, tcpPair } from '../common/lesson.js';

const MESSAGES = 8;
const SIZE = 4096; // bytes per message
const BUF = 1024; // the server's read buffer: a quarter of a message
const STALL_MS = 200; // how long the broken ET reader waits for an edge that never comes

interface Counts {
  wakeups: number;
  events: number;
  reads: number;
  eagains: number;
  bytes: number;
}

/** The message numbered `m`: SIZE bytes, each its offset mixed with m, so a lost or reordered byte shows. */
function message(m: number): Uint8Array {
  return Uint8Array.from({ length: SIZE }, (_, i) => (i * 7 + m) & 0xff);
}

/** Serves MESSAGES messages on a fresh connection; `et` registers with EPOLLET, `drain` reads until EAGAIN. */
function serve(et: boolean, drain: boolean): Counts & { intact: boolean } {
  const { client, server } = tcpPair();
  setNonBlocking(server, true);
  const epfd = epoll_create1(0);
  epoll_ctl(epfd, EPOLL_CTL_ADD, server, EPOLLIN | (et ? EPOLLET : 0));
  const events = new EpollEvents(8);
  const buf = new Uint8Array(BUF);
  const c: Counts = { wakeups: 0, events: 0, reads: 0, eagains: 0, bytes: 0 };
  let intact = true;
  for (let m = 0; m < MESSAGES; m++) {
    const sent = message(m);
    write(client, sent); // 4 KiB: the socket buffers take it whole
    for (let got = 0; got < SIZE; ) {
      const n = epoll_wait(epfd, events, events.capacity, 1000);
      if (n === 0) break; // nothing reported for a second: the count below shows the loss
      c.wakeups++;
      c.events += n;
      for (;;) {
        const r = read(server, buf);
        if (r === -1) {
          c.eagains++;
          break;
        }
        for (let i = 0; i < r; i++) if (buf[i] !== sent[got + i]) intact = false;
        got += r;
        c.reads++;
        c.bytes += r;
        if (!drain || r === 0) break;
      }
    }
  }
  [client, server, epfd].forEach((fd) => close(fd));
  return { ...c, intact };
}

const ways = [
  { name: 'level-triggered, one read per event', et: false, drain: false },
  { name: 'level-triggered, drained', et: false, drain: true },
  { name: 'edge-triggered, drained', et: true, drain: true },
] as const;
const total = MESSAGES * SIZE;
console.log(`the traffic: ${MESSAGES} messages of ${SIZE} bytes, read through a ${BUF}-byte buffer`);
const [lt, ltDrained, et] = ways.map((w) => {
  const c = serve(w.et, w.drain);
  console.log(
    `${w.name}: ${c.wakeups} wake-ups (epoll_wait returns), ${c.events} events, ${c.reads} reads with data, ${c.eagains} EAGAINs; ` +
      `${c.bytes} of ${total} bytes, ${c.intact ? 'intact' : 'CORRUPTED'}; ${c.wakeups + c.reads + c.eagains} system calls`,
  );
  expectFact(c.bytes === total && c.intact, `${w.name} should get all ${total} bytes intact`);
  return c;
});
console.log(
  `per message: LT with one read per event woke ${lt.wakeups / MESSAGES} times, ET ${et.wakeups / MESSAGES}; ET paid ${et.eagains / MESSAGES} EAGAIN per message to learn it had drained the socket`,
);
expectFact(et.wakeups < lt.wakeups, 'ET should wake up fewer times than LT with one read per event');
expectFact(lt.eagains === 0, 'LT with one read per event should never read EAGAIN: it reads only what epoll reported');
expectFact(et.eagains >= MESSAGES, 'every ET drain should end with an EAGAIN');
expectFact(ltDrained.wakeups < lt.wakeups, 'LT drained should wake fewer times than LT with one read per event: draining is what saves the wake-ups');

// The drain rule broken: ET, one read per event.
const { client, server } = tcpPair();
setNonBlocking(server, true);
const epfd = epoll_create1(0);
epoll_ctl(epfd, EPOLL_CTL_ADD, server, EPOLLIN | EPOLLET);
const events = new EpollEvents(8);
const buf = new Uint8Array(BUF);
write(client, message(0));
const first = epoll_wait(epfd, events, events.capacity, 1000);
const r1 = first === 1 ? read(server, buf) : -1; // one read, then back to epoll_wait: the bug
const stalled = epoll_wait(epfd, events, events.capacity, STALL_MS);
const waiting1 = ioctl(server, FIONREAD);
console.log(
  `ET, one read per event: woke ${first} time(s) and read ${r1} bytes; then epoll_wait timed out after ${STALL_MS} ms (returned ${stalled}) ` +
    `while FIONREAD says ${waiting1} bytes wait in the socket: no new edge comes for bytes already there`,
);
expectFact(first === 1 && r1 === BUF && stalled === 0 && waiting1 === SIZE - BUF, `the ET reader should stall with ${SIZE - BUF} bytes unread`);

write(client, message(1)); // new bytes: a new edge
const second = epoll_wait(epfd, events, events.capacity, 1000);
const r2 = second === 1 ? read(server, buf) : -1;
const waiting2 = ioctl(server, FIONREAD);
console.log(`a second message is a new edge: woke ${second} time(s), read ${r2} bytes, and now ${waiting2} bytes wait: the backlog grows by ${SIZE - BUF} per message`);
expectFact(second === 1 && r2 === BUF && waiting2 === 2 * (SIZE - BUF), `the second edge should leave ${2 * (SIZE - BUF)} bytes unread`);

let drained = 0;
let reads = 0;
for (let r; (r = read(server, buf)) > 0; reads++) drained += r;
console.log(`a drain (read until EAGAIN) gets them back: ${reads} reads, ${drained} bytes, and FIONREAD says ${ioctl(server, FIONREAD)}`);
expectFact(drained === waiting2 && ioctl(server, FIONREAD) === 0, 'the drain should read every byte left');
[client, server, epfd].forEach((fd) => close(fd));

finish(
  'LT reports a state (bytes are unread), so reading a little is safe and costs wake-ups; ET reports a change (bytes arrived), so it is cheaper only for a reader that drains, and a reader that does not stalls',
);
