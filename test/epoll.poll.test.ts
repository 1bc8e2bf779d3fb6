// poll(2) over a PollFds: the struct pollfd layout, readiness, and checks.
import { afterEach, describe, expect, it } from 'vitest';
import {
  EFD_NONBLOCK,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  PollFds,
  close,
  eventfd,
  pipe,
  poll,
  read,
  write,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

let toClose: number[] = [];
afterEach(() => {
  closeAll(...toClose);
  toClose = [];
});

describe('PollFds', () => {
  it('is an array of struct pollfd: int fd, short events, short revents', () => {
    const fds = new PollFds(3);
    expect(fds.buffer.byteLength).toBe(24);
    fds.set(1, 0x01020304, POLLIN | POLLOUT);
    const dv = new DataView(fds.buffer);
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    expect(dv.getInt32(8, le)).toBe(0x01020304);
    expect(dv.getInt16(12, le)).toBe(POLLIN | POLLOUT);
    expect(dv.getInt16(14, le)).toBe(0);
    expect([fds.fd(1), fds.events(1), fds.revents(1)]).toEqual([0x01020304, POLLIN | POLLOUT, 0]);
  });

  it('checks the index', () => {
    const fds = new PollFds(2);
    expect(() => fds.set(2, 0, POLLIN)).toThrow(RangeError);
    expect(() => fds.set(-1, 0, POLLIN)).toThrow(RangeError);
    expect(() => new PollFds(-1)).toThrow(RangeError);
  });
});

describe('poll', () => {
  it('writes revents in place and returns how many entries have any', () => {
    const [r, w] = pipe();
    const e = eventfd(0, EFD_NONBLOCK);
    toClose.push(r, w, e);
    const fds = new PollFds(4);
    fds.set(0, r, POLLIN);
    fds.set(1, e, POLLIN);
    fds.set(2, -1, POLLIN); // skipped by the kernel
    fds.set(3, w, POLLOUT);
    expect(poll(fds, 4, 0)).toBe(1);
    expect([fds.revents(0), fds.revents(1), fds.revents(2), fds.revents(3)]).toEqual([0, 0, 0, POLLOUT]);
    write(e, new BigUint64Array([3n]));
    write(w, new Uint8Array([1]));
    expect(poll(fds, 2, -1)).toBe(2); // only the first two entries
    expect([fds.revents(0), fds.revents(1)]).toEqual([POLLIN, POLLIN]);
    read(r, new Uint8Array(1));
    read(e, new Uint8Array(8));
    expect(poll(fds, 2, 0)).toBe(0);
    expect(fds.revents(0)).toBe(0);
  });

  it('reports POLLHUP for a pipe whose writer closed and POLLNVAL for a closed fd', () => {
    const [r, w] = pipe();
    const dead = eventfd();
    close(dead);
    close(w);
    toClose.push(r);
    const fds = new PollFds(2);
    fds.set(0, r, POLLIN);
    fds.set(1, dead, POLLIN);
    expect(poll(fds, 2, 0)).toBe(2);
    expect(fds.revents(0)).toBe(POLLHUP);
    expect(fds.revents(1)).toBe(POLLNVAL);
  });

  it('returns 0 on timeout and accepts nfds 0', () => {
    const fds = new PollFds(0);
    expect(poll(fds, 0, 1)).toBe(0);
  });

  it('checks nfds against the capacity', () => {
    const fds = new PollFds(2);
    expect(() => poll(fds, 3, 0)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/'nfds'/) }));
    expect(() => poll(fds, -1, 0)).toThrow(RangeError);
  });
});
