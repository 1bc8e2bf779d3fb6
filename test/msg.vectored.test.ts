// readv and writev: many buffers in one call, on real sockets and pipes.
import { describe, expect, it } from 'vitest';
import * as lib from '../lib/index.js';
import {
  AF_UNIX,
  IOV_MAX,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  close,
  pipe,
  read,
  readv,
  socketpair,
  writev,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

function detachedView(): Uint8Array {
  const ab = new ArrayBuffer(8);
  const view = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  return view;
}

describe('readv / writev', () => {
  it('gathers several views into one stream write and scatters them back in order', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      const parts = [Buffer.from('ab'), new Uint8Array([0x63, 0x64, 0x65]), new DataView(new ArrayBuffer(1)), new Uint16Array(new Uint8Array([0x67, 0x68]).buffer)];
      (parts[2] as DataView).setUint8(0, 0x66);
      expect(writev(a, parts)).toBe(8);
      const x = Buffer.alloc(3);
      const y = Buffer.alloc(2);
      const z = new Uint8Array(10);
      expect(readv(b, [x, y, z])).toBe(8);
      expect(x.toString()).toBe('abc');
      expect(y.toString()).toBe('de');
      expect(Buffer.from(z.subarray(0, 3)).toString()).toBe('fgh');
    } finally {
      closeAll(a, b);
    }
  });

  it('works on pipes, returns 0 at end of file and -1 when it would block', () => {
    const [r, w] = pipe(lib.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(4);
      expect(readv(r, [buf])).toBe(-1);
      expect(writev(w, [Buffer.from('hi')])).toBe(2);
      expect(readv(r, [buf, Buffer.alloc(0)])).toBe(2);
      close(w);
      expect(readv(r, [buf])).toBe(0);
    } finally {
      closeAll(r, w);
    }
  });

  it('accepts an empty list and exactly IOV_MAX buffers; IOV_MAX + 1 is the kernel\'s EINVAL', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      expect(writev(a, [])).toBe(0);
      const many = Array.from({ length: IOV_MAX }, () => Buffer.from('x'));
      expect(writev(a, many)).toBe(IOV_MAX);
      expect(read(b, Buffer.alloc(IOV_MAX + 1))).toBe(IOV_MAX);
      expect(() => writev(a, [...many, Buffer.from('x')])).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => readv(b, [...many, Buffer.from('x')])).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      closeAll(a, b);
    }
  });

  it('checks every entry, naming the bad one, before any I/O', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    try {
      expect(() => writev(a, 'abc' as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
      expect(() => writev(a, [Buffer.from('ok'), 'no' as never])).toThrow(/'bufs\[1\]'/);
      expect(() => writev(a, [Buffer.from('ok'), detachedView()])).toThrow(/'bufs\[1\]' is a view of a detached/);
      expect(() => readv(b, [Buffer.alloc(1), {} as never])).toThrow(TypeError);
      // Nothing was written by the refused calls.
      expect(readv(b, [Buffer.alloc(8)])).toBe(-1);
      expect(() => writev(-1, [])).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(() => readv(1.5, [])).toThrow(TypeError);
    } finally {
      closeAll(a, b);
    }
  });

  it('catches a buffer detached by an accessor on the list itself', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    // A fresh list for each call, so that each meets a live buffer which the
    // getter of the next element detaches (Node 22 and later refuse to
    // transfer a buffer twice, so one list cannot serve both calls).
    const detachingList = (): Uint8Array[] => {
      const first = new Uint8Array(new ArrayBuffer(16));
      const list: Uint8Array[] = [first];
      Object.defineProperty(list, 1, {
        get() {
          structuredClone(first.buffer, { transfer: [first.buffer] });
          return Buffer.from('x');
        },
        enumerable: true,
      });
      return list;
    };
    try {
      expect(() => readv(b, detachingList())).toThrow(/'bufs\[0\]' is a view of a detached/);
      expect(() => writev(a, detachingList())).toThrow(/'bufs\[0\]' is a view of a detached/);
    } finally {
      closeAll(a, b);
    }
  });

  it('reports a closed fd as EBADF', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    closeAll(a, b);
    expect(() => readv(a, [Buffer.alloc(1)])).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'readv' }));
    expect(() => writev(b, [Buffer.alloc(1)])).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'writev' }));
  });
});
