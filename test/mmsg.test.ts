// recvmmsg / sendmmsg (many datagrams per call) and the interface names.
import { once } from 'node:events';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  IOV_MAX,
  MSG_DONTWAIT,
  MSG_TRUNC,
  MSG_WAITFORONE,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  bind,
  close,
  connect,
  if_indextoname,
  if_nametoindex,
  recvfrom,
  recvmmsg,
  sendmmsg,
  sendto,
  socket,
  type SockaddrResult,
} from '../lib/index.js';
import { closeAll, loopback, portOf } from './helpers.js';

function udp(flags = 0): number {
  const fd = socket(AF_INET, SOCK_DGRAM | flags);
  try {
    bind(fd, loopback(AF_INET));
  } catch (e) {
    close(fd);
    throw e;
  }
  return fd;
}

const slots = (count: number, size: number): Buffer[] => Array.from({ length: count }, () => Buffer.alloc(size));

describe('sendmmsg / recvmmsg', () => {
  it('moves a batch of datagrams each way in one call, lengths/flags/addresses filled per message', () => {
    const r = udp(SOCK_NONBLOCK);
    const s = udp();
    try {
      const out = ['one', 'two!', '', 'three', 'x'.repeat(100)].map((t) => Buffer.from(t));
      expect(sendmmsg(s, out, null, 0, loopback(AF_INET, portOf(r)))).toBe(5);
      const bufs = slots(8, 128);
      const lengths = new Uint32Array(8).fill(0xdead);
      const flags = new Int32Array(8).fill(-1);
      const from: Array<SockaddrResult | null> = [];
      expect(recvmmsg(r, bufs, lengths, 0, flags, from)).toBe(5);
      expect([...lengths.subarray(0, 5)]).toEqual([3, 4, 0, 5, 100]);
      expect(lengths[5]).toBe(0xdead); // entries past the count are left alone
      for (let i = 0; i < 5; i++) expect(bufs[i].subarray(0, lengths[i]).equals(out[i])).toBe(true);
      expect([...flags.subarray(0, 5)]).toEqual([0, 0, 0, 0, 0]);
      expect(from).toHaveLength(5);
      for (const a of from) expect(a).toEqual({ family: AF_INET, address: '127.0.0.1', port: portOf(s) });
      expect(recvmmsg(r, bufs, lengths)).toBe(-1); // nothing left: would block
    } finally {
      closeAll(r, s);
    }
  });

  it('flags a datagram longer than its buffer with MSG_TRUNC, and reports its real length when asked', () => {
    const r = udp(SOCK_NONBLOCK);
    const s = udp();
    try {
      const to = loopback(AF_INET, portOf(r));
      sendto(s, Buffer.from('0123456789'), undefined, 0, to);
      sendto(s, Buffer.from('0123456789'), undefined, 0, to);
      const lengths = new Uint32Array(1);
      const flags = new Uint32Array(1);
      const small = [Buffer.alloc(4)];
      expect(recvmmsg(r, small, lengths, 0, flags)).toBe(1);
      expect(lengths[0]).toBe(4);
      expect(flags[0] & MSG_TRUNC).toBe(MSG_TRUNC);
      expect(small[0].toString()).toBe('0123');
      expect(recvmmsg(r, small, lengths, MSG_TRUNC, flags)).toBe(1);
      expect(lengths[0]).toBe(10);
    } finally {
      closeAll(r, s);
    }
  });

  it('returns what is there with MSG_WAITFORONE on a blocking socket', () => {
    const r = udp();
    const s = udp();
    try {
      const to = loopback(AF_INET, portOf(r));
      sendto(s, Buffer.from('a'), undefined, 0, to);
      sendto(s, Buffer.from('b'), undefined, 0, to);
      const lengths = new Uint32Array(4);
      // Without MSG_WAITFORONE a blocking recvmmsg would wait for all 4.
      expect(recvmmsg(r, slots(4, 8), lengths, MSG_WAITFORONE)).toBe(2);
    } finally {
      closeAll(r, s);
    }
  });

  it('sends the first lengths[i] bytes of reusable buffers, to one address per message', () => {
    const r1 = udp(SOCK_NONBLOCK);
    const r2 = udp(SOCK_NONBLOCK);
    const s = udp();
    try {
      const bufs = slots(3, 64);
      bufs[0].write('abc');
      bufs[2].write('hello');
      const to = [loopback(AF_INET, portOf(r1)), loopback(AF_INET, portOf(r2)), loopback(AF_INET, portOf(r1))];
      expect(sendmmsg(s, bufs, new Int32Array([3, 0, 5]), 0, to)).toBe(3);
      const got = slots(4, 64);
      const lengths = new Uint32Array(4);
      expect(recvmmsg(r1, got, lengths, MSG_DONTWAIT)).toBe(2);
      expect(got[0].toString('utf8', 0, lengths[0]) + '|' + got[1].toString('utf8', 0, lengths[1])).toBe('abc|hello');
      expect(recvmmsg(r2, got, lengths)).toBe(1);
      expect(lengths[0]).toBe(0);
    } finally {
      closeAll(r1, r2, s);
    }
  });

  it('sends on a connected socket with no addresses, and null entries mean the connected peer', () => {
    const r = udp(SOCK_NONBLOCK);
    const s = udp();
    try {
      connect(s, loopback(AF_INET, portOf(r)));
      expect(sendmmsg(s, [Buffer.from('c1'), Buffer.from('c2')])).toBe(2);
      expect(sendmmsg(s, [Buffer.from('c3')], undefined, 0, [null])).toBe(1);
      const buf = Buffer.alloc(4);
      const seen = [0, 1, 2].map(() => buf.toString('utf8', 0, recvfrom(r, buf).bytes));
      expect(seen).toEqual(['c1', 'c2', 'c3']);
    } finally {
      closeAll(r, s);
    }
  });

  it('checks every argument before the call', () => {
    const r = udp(SOCK_NONBLOCK);
    const s = udp();
    const to = loopback(AF_INET, portOf(r));
    try {
      const b2 = slots(2, 8);
      expect(() => recvmmsg(r, b2, new Uint32Array(1))).toThrow(/'lengths' has 1 entries; the 2 buffers/);
      expect(() => recvmmsg(r, b2, new Float64Array(2) as never)).toThrow(/'lengths' to be a Uint32Array or Int32Array/);
      expect(() => recvmmsg(r, b2, [0, 0] as never)).toThrow(TypeError);
      expect(() => recvmmsg(r, b2, new Uint32Array(2), 0, new Uint16Array(2) as never)).toThrow(/'msgFlags'/);
      expect(() => recvmmsg(r, b2, new Uint32Array(2), 0, null, {} as never)).toThrow(/'addresses' to be an array/);
      expect(() => recvmmsg(r, [b2[0], 'x' as never], new Uint32Array(2))).toThrow(/'bufs\[1\]'/);
      expect(() => recvmmsg(r, slots(IOV_MAX + 1, 1), new Uint32Array(IOV_MAX + 1))).toThrow(RangeError);
      const detached = new Uint32Array(2);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      expect(() => recvmmsg(r, b2, detached)).toThrow(RangeError);

      expect(() => sendmmsg(s, b2, new Uint32Array([8, 9]), 0, to)).toThrow(/'lengths\[1\]' \(9\) is past the end of 'bufs\[1\]'/);
      expect(() => sendmmsg(s, b2, new Uint32Array(1), 0, to)).toThrow(RangeError);
      expect(() => sendmmsg(s, b2, null, 0, [to])).toThrow(/'addresses' has 1 entries/);
      expect(() => sendmmsg(s, b2, null, 0, [to, { family: AF_INET, address: '1.2.3', port: 1 }])).toThrow(/addresses\[1\]/);
      expect(() => sendmmsg(s, b2, null, 0, { family: AF_INET, address: '127.0.0.1', port: 70000 })).toThrow(RangeError);
      expect(() => sendmmsg(s, 'x' as never)).toThrow(/'bufs' to be an array/);
      expect(() => sendmmsg(-1, b2)).toThrow(expect.objectContaining({ code: 'EBADF' })); // the kernel judges fds
      // Refused calls sent nothing.
      expect(recvmmsg(r, b2, new Uint32Array(2))).toBe(-1);
    } finally {
      closeAll(r, s);
    }
  });

  it('reports system errors as SocketError', () => {
    const s = udp();
    close(s);
    expect(() => recvmmsg(s, [Buffer.alloc(1)], new Uint32Array(1))).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'recvmmsg' }),
    );
    const t = socket(AF_INET, SOCK_DGRAM);
    try {
      expect(() => sendmmsg(t, [Buffer.alloc(1)])).toThrow(expect.objectContaining({ code: 'EDESTADDRREQ', syscall: 'sendmmsg' }));
    } finally {
      close(t);
    }
  });
});

describe('inside a worker thread', () => {
  it('runs a batch and a message with fds on the worker\'s own stack and environment', async () => {
    const worker = new Worker(
      `const { parentPort, workerData: w } = require('node:worker_threads');
       const a = require(w.root + '/test/workers/addon.cjs');
       const c = a.constants;
       const [x, y] = a.socketpair(c.AF_UNIX, c.SOCK_DGRAM, 0);
       const bufs = Array.from({ length: 1024 }, () => Buffer.alloc(4));
       const sent = a.sendmmsg(x, bufs.slice(0, 100), null, 0);
       const lengths = new Uint32Array(1024);
       const got = a.recvmmsg(y, bufs, lengths, c.MSG_DONTWAIT);
       a.sendmsg(x, { buffers: [Buffer.from('f')], control: [{ level: c.SOL_SOCKET, type: c.SCM_RIGHTS, fds: [x] }] }, 0);
       const m = a.recvmsg(y, [Buffer.alloc(1)], { controlLength: a.CMSG_SPACE(4) }, 0);
       for (const fd of [x, y, ...m.fds]) a.close(fd);
       parentPort.postMessage({ sent, got, fds: m.fds.length });`,
      { eval: true, workerData: { root: path.resolve(process.cwd()) } },
    );
    // Both listened for at once: the worker exits right after it posts.
    const message = once(worker, 'message');
    const exit = once(worker, 'exit');
    const [result] = await message;
    expect((await exit)[0]).toBe(0);
    expect(result).toEqual({ sent: 100, got: 100, fds: 1 });
  });
});

describe('if_nametoindex / if_indextoname', () => {
  it('maps lo to its index and back', () => {
    const lo = if_nametoindex('lo');
    expect(lo).toBeGreaterThan(0);
    expect(if_indextoname(lo)).toBe('lo');
  });

  it('answers 0 for an unknown name, ENXIO for an unknown index, and checks its argument', () => {
    expect(if_nametoindex('no-such-if0')).toBe(0);
    expect(() => if_indextoname(0x7ffffff0)).toThrow(expect.objectContaining({ code: 'ENXIO', syscall: 'if_indextoname' }));
    expect(() => if_indextoname(0)).toThrow(RangeError);
    expect(() => if_nametoindex('x'.repeat(16))).toThrow(RangeError);
    expect(() => if_nametoindex(1 as never)).toThrow(TypeError);
  });
});
