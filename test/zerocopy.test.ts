// sendfile, splice and tee against the real kernel: file → TCP socket, pipe →
// socket, socket → pipe, pipe → pipe, the value-result offsets, and the
// kernel's own EINVAL and ESPIPE.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  O_NONBLOCK,
  SOL_SOCKET,
  SO_SNDBUF,
  SPLICE_F_MORE,
  SPLICE_F_MOVE,
  SPLICE_F_NONBLOCK,
  pipe,
  read,
  sendfile,
  setNonBlocking,
  setsockopt,
  splice,
  tee,
  write,
  type Offset,
} from '../lib/index.js';
import { closeAll, tcpPair } from './helpers.js';

let dir = '';
let file = '';
const content = Buffer.alloc(100_000);
for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 8)) & 0xff;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'zerocopy-'));
  file = path.join(dir, 'data');
  writeFileSync(file, content);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Reads exactly `n` bytes from a blocking fd.
function readExactly(fd: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const r = read(fd, out.subarray(got));
    if (r <= 0) throw new Error(`read returned ${r} after ${got} of ${n} bytes`);
    got += r;
  }
  return out;
}

// Sends all of [from, from + count) of the file with sendfile, looping as C does.
function sendAll(out: number, inFd: number, offset: Offset | null, count: number): number {
  let sent = 0;
  while (sent < count) {
    const r = sendfile(out, inFd, offset, count - sent);
    if (r <= 0) throw new Error(`sendfile returned ${r}`);
    sent += r;
  }
  return sent;
}

describe('sendfile', () => {
  it('sends a file range to a TCP socket and updates the offset object, not the file offset', () => {
    const { client, server } = tcpPair();
    const fd = openSync(file, 'r');
    try {
      const off: Offset = { value: 1000 };
      expect(sendAll(client, fd, off, 5000)).toBe(5000);
      expect(off.value).toBe(6000); // *offset moved past the last byte sent
      expect(readExactly(server, 5000).equals(content.subarray(1000, 6000))).toBe(true);
      // The file's own offset did not move: NULL starts at byte 0, and advances it.
      expect(sendAll(client, fd, null, 3000)).toBe(3000);
      expect(readExactly(server, 3000).equals(content.subarray(0, 3000))).toBe(true);
      expect(sendAll(client, fd, null, 2000)).toBe(2000);
      expect(readExactly(server, 2000).equals(content.subarray(3000, 5000))).toBe(true);
    } finally {
      closeSync(fd);
      closeAll(client, server);
    }
  });

  it('the whole file, and 0 at its end', () => {
    const { client, server } = tcpPair();
    const fd = openSync(file, 'r');
    try {
      const off = { value: 0 };
      expect(sendAll(client, fd, off, content.length)).toBe(content.length);
      expect(readExactly(server, content.length).equals(content)).toBe(true);
      expect(sendfile(client, fd, off, 100)).toBe(0);
      expect(off.value).toBe(content.length);
    } finally {
      closeSync(fd);
      closeAll(client, server);
    }
  });

  it('a full non-blocking socket returns -1 (would block), and the offset stays where the kernel stopped', () => {
    const { client, server } = tcpPair();
    const fd = openSync(file, 'r');
    try {
      setsockopt(client, SOL_SOCKET, SO_SNDBUF, 4096);
      setNonBlocking(client);
      const off = { value: 0 };
      let sent = 0;
      let r = 0;
      for (let i = 0; i < 10_000 && r !== -1; i++) {
        if (off.value === content.length) off.value = 0;
        r = sendfile(client, fd, off, content.length - off.value);
        if (r > 0) sent += r;
      }
      expect(r).toBe(-1);
      expect(sent).toBeGreaterThan(0);
      expect(off.value).toBe(sent % content.length);
    } finally {
      closeSync(fd);
      closeAll(client, server);
    }
  });

  it('the kernel judges the fds and the offset', () => {
    const { client, server } = tcpPair();
    const fd = openSync(file, 'r');
    const [r, w] = pipe();
    try {
      // in_fd must support mmap-like reads: a socket does not.
      expect(() => sendfile(client, server, null, 10)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'sendfile' }));
      expect(() => sendfile(client, fd, { value: -1 }, 10)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => sendfile(client, r, { value: 0 }, 10)).toThrow(expect.objectContaining({ code: 'ESPIPE' })); // an offset for a pipe
      expect(() => sendfile(client, w, null, 10)).toThrow(expect.objectContaining({ code: 'EBADF' })); // not open for reading
      const bad = sendfile as (...a: unknown[]) => unknown;
      expect(() => bad(client, fd, 5, 10)).toThrow(TypeError);
      expect(() => bad(client, fd, { value: 1.5 }, 10)).toThrow(/offset\.value/);
      expect(() => bad(client, fd, null, -1)).toThrow(RangeError);
    } finally {
      closeSync(fd);
      closeAll(client, server, r, w);
    }
  });
});

describe('splice', () => {
  it('moves bytes from a pipe to a socket, and from a socket to a pipe', () => {
    const { client, server } = tcpPair();
    const [pr, pw] = pipe();
    try {
      const msg = Buffer.from('spliced through the kernel');
      expect(write(pw, msg)).toBe(msg.length);
      expect(splice(pr, null, client, null, 4096, SPLICE_F_MOVE | SPLICE_F_MORE)).toBe(msg.length);
      expect(readExactly(server, msg.length).toString()).toBe(msg.toString());

      const back = Buffer.from('and back into a pipe');
      expect(write(client, back)).toBe(back.length);
      let moved = 0;
      while (moved < back.length) moved += splice(server, null, pw, null, back.length - moved, 0);
      expect(readExactly(pr, back.length).toString()).toBe(back.toString());
    } finally {
      closeAll(client, server, pr, pw);
    }
  });

  it('from a file at an offset object: the object moves, the file offset does not', () => {
    const fd = openSync(file, 'r');
    const [pr, pw] = pipe();
    try {
      const off = { value: 500 };
      expect(splice(fd, off, pw, null, 300, 0)).toBe(300);
      expect(off.value).toBe(800);
      expect(readExactly(pr, 300).equals(content.subarray(500, 800))).toBe(true);
      expect(splice(fd, null, pw, null, 10, 0)).toBe(10); // the file's own offset: 0
      expect(readExactly(pr, 10).equals(content.subarray(0, 10))).toBe(true);
    } finally {
      closeSync(fd);
      closeAll(pr, pw);
    }
  });

  it('an empty pipe with SPLICE_F_NONBLOCK returns -1 (would block)', () => {
    const { client, server } = tcpPair();
    const [pr, pw] = pipe(O_NONBLOCK);
    try {
      expect(splice(pr, null, client, null, 100, SPLICE_F_NONBLOCK)).toBe(-1);
    } finally {
      closeAll(client, server, pr, pw);
    }
  });

  it('neither fd a pipe is the kernel\'s EINVAL; an offset for a pipe is ESPIPE', () => {
    const { client, server } = tcpPair();
    const fd = openSync(file, 'r');
    const [pr, pw] = pipe();
    try {
      expect(() => splice(fd, null, client, null, 10, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'splice' }));
      expect(() => splice(server, null, client, null, 10, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      write(pw, Buffer.from('x'));
      expect(() => splice(pr, { value: 0 }, client, null, 10, 0)).toThrow(expect.objectContaining({ code: 'ESPIPE' }));
    } finally {
      closeSync(fd);
      closeAll(client, server, pr, pw);
    }
  });
});

describe('tee', () => {
  it('duplicates a pipe\'s bytes into another pipe without consuming them', () => {
    const [ar, aw] = pipe();
    const [br, bw] = pipe();
    try {
      const msg = Buffer.from('one copy, two readers');
      write(aw, msg);
      expect(tee(ar, bw, 4096, 0)).toBe(msg.length);
      expect(readExactly(br, msg.length).toString()).toBe(msg.toString());
      expect(readExactly(ar, msg.length).toString()).toBe(msg.toString()); // still there
      expect(tee(ar, bw, 4096, SPLICE_F_NONBLOCK)).toBe(-1); // empty now: would block
    } finally {
      closeAll(ar, aw, br, bw);
    }
  });

  it('a socket on either side is the kernel\'s EINVAL', () => {
    const { client, server } = tcpPair();
    const [pr, pw] = pipe();
    try {
      expect(() => tee(server, pw, 10, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'tee' }));
      expect(() => tee(pr, client, 10, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    } finally {
      closeAll(client, server, pr, pw);
    }
  });
});
