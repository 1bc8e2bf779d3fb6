// Lesson: TCP delivers bytes, not messages, so a protocol frames its own.
// A receiver must be ready for any split: here the sender writes one
// length-prefixed frame in three pieces (the header itself cut in two), and
// each recv returns only the piece that has arrived. A parser that keeps
// what it has not used yet makes whole frames of them. Then the same for a
// line-delimited protocol, where a line ends at '\n' and a recv may hold
// half a line, or two and a half.
// Run: npx tsx examples/2-tcp/10-framing.ts
import { IPPROTO_TCP, MSG_DONTWAIT, TCP_NODELAY, close, recv, send, setsockopt } from 'posix-sockets';
import { expectFact, finish, tcpPair } from '../common/lesson.js';

/** Length-prefixed frames: a 4-byte big-endian length, then that many bytes. */
class FrameParser {
  #pending = Buffer.alloc(0);
  /** Takes the bytes of one recv; returns the frames they complete (maybe none). */
  push(bytes: Buffer): Buffer[] {
    this.#pending = Buffer.concat([this.#pending, bytes]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 4 && this.#pending.length >= 4 + this.#pending.readUInt32BE(0)) {
      const len = this.#pending.readUInt32BE(0);
      frames.push(this.#pending.subarray(4, 4 + len));
      this.#pending = this.#pending.subarray(4 + len);
    }
    return frames;
  }
  get buffered(): number {
    return this.#pending.length;
  }
}

/** Line-delimited: each message ends with '\n'. */
class LineParser {
  #pending = '';
  push(bytes: Buffer): string[] {
    const lines = (this.#pending + bytes.toString('utf8')).split('\n');
    this.#pending = lines.pop()!; // after the last '\n': the start of a line still coming
    return lines;
  }
}

const { client, server } = tcpPair();
setsockopt(client, IPPROTO_TCP, TCP_NODELAY, 1); // each send goes out as it is, no Nagle merging
const buf = Buffer.alloc(1024);
// Loopback delivers a send before send returns; MSG_DONTWAIT makes sure a
// recv never waits for a piece not yet sent.
const recvNow = () => buf.subarray(0, Math.max(0, recv(server, buf, buf.length, MSG_DONTWAIT)));

// One frame, sent in three pieces.
const body = Buffer.from('hello, framed world');
const frame = Buffer.alloc(4 + body.length);
frame.writeUInt32BE(body.length, 0);
body.copy(frame, 4);
const pieces = [frame.subarray(0, 2), frame.subarray(2, 9), frame.subarray(9)];
const frames = new FrameParser();
const got: string[] = [];
const sizes: number[] = [];
const completed: number[] = [];
for (const piece of pieces) {
  send(client, piece);
  const bytes = recvNow();
  sizes.push(bytes.length);
  const done = frames.push(bytes);
  completed.push(done.length);
  got.push(...done.map((f) => f.toString()));
}
console.log(
  `length-prefixed: one ${frame.length}-byte frame sent in 3 pieces; the recvs returned ${sizes.join(', ')} bytes ` +
    `(the first is half the 4-byte header); frames complete after each: ${completed.join(', ')}; the parser yielded ${JSON.stringify(got)}`,
);
expectFact(sizes.join() === '2,7,14' && completed.join() === '0,0,1' && got[0] === body.toString() && frames.buffered === 0, 'the parser should make one frame of three pieces');

// Lines: two sends cut across line ends.
const lines = new LineParser();
const chunks = ['alpha\nbe', 'ta\ngamma\ndel', 'ta\n'];
const perRecv: string[][] = [];
for (const chunk of chunks) {
  send(client, Buffer.from(chunk));
  perRecv.push(lines.push(recvNow()));
}
console.log(`line-delimited: sends ${JSON.stringify(chunks)} gave lines ${perRecv.map((l) => JSON.stringify(l)).join(' then ')}`);
expectFact(perRecv.flat().join() === 'alpha,beta,gamma,delta', 'the line parser should give the four lines whole');

close(client);
close(server);
finish('framing: a recv returns whatever has arrived; the protocol, not TCP, says where a message ends');
