// read/write/recv/send with every kind of ArrayBufferView, offsets and
// lengths, and the would-block rule.
import { describe, expect, it } from 'vitest';
import {
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_PEEK,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  read,
  recv,
  send,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

function pair(flags = 0): [number, number] {
  return socketpair(AF_UNIX, SOCK_STREAM | flags);
}

describe('buffers', () => {
  it('accepts Buffer, Uint8Array, other TypedArrays and DataView, counting bytes', () => {
    const [a, b] = pair();
    try {
      const u32 = new Uint32Array([0x04030201, 0x08070605]);
      expect(write(a, u32)).toBe(8);
      const got = new Uint8Array(8);
      expect(read(b, got)).toBe(8);
      expect([...got]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

      const dv = new DataView(new ArrayBuffer(6), 2, 3);
      dv.setUint8(0, 0x61);
      dv.setUint8(1, 0x62);
      dv.setUint8(2, 0x63);
      expect(send(a, dv)).toBe(3);
      const f64 = new Float64Array(1);
      expect(recv(b, f64)).toBe(3);
      expect([...new Uint8Array(f64.buffer, 0, 3)]).toEqual([0x61, 0x62, 0x63]);
    } finally {
      closeAll(a, b);
    }
  });

  it("respects a view's own byteOffset (a subarray of a larger buffer)", () => {
    const [a, b] = pair();
    try {
      const big = Buffer.from('xxxxHELLOxxxx');
      expect(write(a, big.subarray(4, 9))).toBe(5);
      const into = Buffer.alloc(10, '.');
      expect(read(b, into.subarray(3))).toBe(5);
      expect(into.toString()).toBe('...HELLO..');
    } finally {
      closeAll(a, b);
    }
  });

  it('takes offset and length in bytes, without a subarray', () => {
    const [a, b] = pair();
    try {
      const src = Buffer.from('0123456789');
      expect(write(a, src, 3, 2)).toBe(3); // '234'
      expect(send(a, src, undefined, 0, 8)).toBe(2); // offset only: to the end
      const dst = Buffer.alloc(10, '-');
      expect(recv(b, dst, 5, 0, 5)).toBe(5);
      expect(dst.toString()).toBe('-----23489');
      expect(write(a, src, undefined, 10)).toBe(0); // offset at the end: nothing to write
    } finally {
      closeAll(a, b);
    }
  });

  it('MSG_PEEK leaves the data queued', () => {
    const [a, b] = pair();
    try {
      write(a, Buffer.from('peek'));
      const buf = Buffer.alloc(4);
      expect(recv(b, buf, undefined, MSG_PEEK)).toBe(4);
      expect(recv(b, buf)).toBe(4);
      expect(recv(b, buf, undefined, MSG_DONTWAIT)).toBe(-1);
    } finally {
      closeAll(a, b);
    }
  });
});

describe('would-block is -1, not an exception', () => {
  it('read/recv on an empty non-blocking socket', () => {
    const [a, b] = pair(SOCK_NONBLOCK);
    try {
      const buf = Buffer.alloc(16);
      expect(read(a, buf)).toBe(-1);
      expect(recv(a, buf)).toBe(-1);
    } finally {
      closeAll(a, b);
    }
  });

  it('write/send on a full non-blocking socket: short counts, then -1', () => {
    const [a, b] = pair(SOCK_NONBLOCK);
    try {
      const chunk = Buffer.alloc(64 * 1024, 7);
      let total = 0;
      let r = 0;
      for (let i = 0; i < 10_000 && (r = write(a, chunk)) > 0; i++) total += r;
      expect(r).toBe(-1);
      expect(send(a, chunk)).toBe(-1);
      expect(total).toBeGreaterThan(0);
      // Everything accepted is readable on the other side, byte for byte.
      const sink = Buffer.alloc(64 * 1024);
      let drained = 0;
      for (let n; (n = read(b, sink)) > 0; ) drained += n;
      expect(drained).toBe(total);
    } finally {
      closeAll(a, b);
    }
  });
});
