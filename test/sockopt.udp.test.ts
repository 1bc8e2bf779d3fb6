// The IPPROTO_UDP options of the typed table (the README's "Options at
// IPPROTO_UDP"), and what they do on loopback: UDP_SEGMENT makes one send of
// many segments arrive as that many datagrams (GSO), UDP_GRO lets a receiver
// take such a train in one read, told the segment size by a UDP_GRO control
// message. The last test checks that every IPPROTO_UDP option was exercised.
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  CMSG_SPACE,
  IPPROTO_UDP,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  SOL_UDP,
  UDP_GRO,
  UDP_SEGMENT,
  bind,
  close,
  connect,
  getsockname,
  getsockopt,
  recvmmsg,
  recvmsg,
  send,
  sendmsg,
  setsockopt,
  socket,
} from '../lib/index.js';
import { loopback } from './helpers.js';
import { everyOptionCovered, flagRoundTrips, intRoundTrips, levelCoverage } from './sockopt-helpers.js';

const cov = levelCoverage(IPPROTO_UDP);

flagRoundTrips(cov, [['UDP_GRO', UDP_GRO, 'udp']]);

describe('int options read and take numbers', () => {
  intRoundTrips(cov, [['UDP_SEGMENT', UDP_SEGMENT, 'udp', 1000, 1000]]);
});

/** `fn` with a receiving UDP socket on 127.0.0.1 and a sender connected to it, both closed after. */
function withUdpPair(fn: (tx: number, rx: number) => void): void {
  const rx = socket(AF_INET, SOCK_DGRAM);
  const tx = socket(AF_INET, SOCK_DGRAM);
  try {
    bind(rx, loopback());
    connect(tx, getsockname(rx) as ReturnType<typeof loopback>);
    fn(tx, rx);
  } finally {
    close(tx);
    close(rx);
  }
}

/** Every datagram waiting on `fd`, by length, taken with one recvmmsg. */
function drain(fd: number): number[] {
  const bufs = Array.from({ length: 64 }, () => Buffer.alloc(65536));
  const lengths = new Uint32Array(bufs.length);
  const n = recvmmsg(fd, bufs, lengths, MSG_DONTWAIT);
  return n === -1 ? [] : [...lengths.subarray(0, n)];
}

/** The int of a control message's data, in host byte order as C reads it. */
const hostInt = (data: Buffer): number => (endianness() === 'LE' ? data.readInt32LE(0) : data.readInt32BE(0));

describe('UDP GSO and GRO on loopback', () => {
  it('UDP_SEGMENT: one send of 10 x 1000 bytes arrives as 10 datagrams of 1000 bytes', () => {
    withUdpPair((tx, rx) => {
      setsockopt(tx, SOL_UDP, UDP_SEGMENT, 1000);
      expect(send(tx, Buffer.alloc(10_000, 7))).toBe(10_000);
      expect(drain(rx)).toEqual(Array(10).fill(1000));
    });
  });

  it('the last segment may be shorter; a send no longer than one segment is one datagram', () => {
    withUdpPair((tx, rx) => {
      setsockopt(tx, SOL_UDP, UDP_SEGMENT, 1000);
      send(tx, Buffer.alloc(2500));
      send(tx, Buffer.alloc(600));
      expect(drain(rx)).toEqual([1000, 1000, 500, 600]);
    });
  });

  it('UDP_SEGMENT as a control message of sendmsg sets the size for that one send (a __u16, udp(7))', () => {
    withUdpPair((tx, rx) => {
      const size = Buffer.alloc(2);
      if (endianness() === 'LE') size.writeUInt16LE(400);
      else size.writeUInt16BE(400);
      const control = [{ level: SOL_UDP, type: UDP_SEGMENT, data: size }];
      expect(sendmsg(tx, { buffers: [Buffer.alloc(1200)], control })).toBe(1200);
      expect(drain(rx)).toEqual([400, 400, 400]);
    });
  });

  it('UDP_GRO: the receiver reads the train whole, with the segment size in a UDP_GRO control message', () => {
    withUdpPair((tx, rx) => {
      setsockopt(rx, IPPROTO_UDP, UDP_GRO, true);
      setsockopt(tx, IPPROTO_UDP, UDP_SEGMENT, 1000);
      send(tx, Buffer.alloc(10_000, 9));
      const buf = Buffer.alloc(65536);
      const r = recvmsg(rx, [buf], { controlLength: CMSG_SPACE(4) }, MSG_DONTWAIT);
      // Fewer reads than datagrams: the kernel may coalesce all ten or a run of them.
      expect(r.bytes).toBeGreaterThan(1000);
      expect(r.bytes % 1000).toBe(0);
      expect(buf.subarray(0, r.bytes).every((b) => b === 9)).toBe(true);
      const gro = r.control.find((c) => c.level === SOL_UDP && c.type === UDP_GRO);
      expect(gro, 'a UDP_GRO control message').toBeDefined();
      expect(hostInt(gro!.data)).toBe(1000);
      let total = r.bytes;
      for (let m; (m = recvmsg(rx, [buf], { controlLength: CMSG_SPACE(4) }, MSG_DONTWAIT).bytes) > 0; ) total += m;
      expect(total).toBe(10_000);
    });
  });

  it('without UDP_GRO a receiver never sees more than one segment per read', () => {
    withUdpPair((tx, rx) => {
      expect(getsockopt(rx, IPPROTO_UDP, UDP_GRO)).toBe(false);
      setsockopt(tx, IPPROTO_UDP, UDP_SEGMENT, 1000);
      send(tx, Buffer.alloc(5000));
      const r = recvmsg(rx, [Buffer.alloc(65536)], { controlLength: CMSG_SPACE(4) }, MSG_DONTWAIT);
      expect(r.bytes).toBe(1000);
      expect(r.control).toEqual([]);
      expect(drain(rx)).toEqual([1000, 1000, 1000, 1000]);
    });
  });
});

everyOptionCovered(cov, 'IPPROTO_UDP');
