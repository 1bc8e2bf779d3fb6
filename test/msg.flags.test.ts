// The MSG_* flags of send(2)/recv(2) and friends, as C code uses them, each
// observed on a real socket through recv/send/recvfrom/sendto (lib/io.ts)
// and sendmsg/recvmsg/recvmmsg.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_MORE,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  SOCK_DGRAM,
  SOCK_STREAM,
  bind,
  close,
  connect,
  recv,
  recvfrom,
  recvmmsg,
  recvmsg,
  send,
  sendmsg,
  sendto,
  socket,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll, loopback, portOf, tcpPair } from './helpers.js';

function udpPair(): { r: number; s: number } {
  const r = socket(AF_INET, SOCK_DGRAM);
  const s = socket(AF_INET, SOCK_DGRAM);
  bind(r, loopback(AF_INET));
  connect(s, loopback(AF_INET, portOf(r)));
  return { r, s };
}

describe('MSG_PEEK', () => {
  it('reads without consuming, through recv, recvfrom, recvmsg and recvmmsg', () => {
    const { r, s } = udpPair();
    try {
      send(s, Buffer.from('peek'));
      const buf = Buffer.alloc(8);
      expect(recv(r, buf, undefined, MSG_PEEK)).toBe(4);
      expect(recvfrom(r, buf, undefined, MSG_PEEK).address).toMatchObject({ port: portOf(s) });
      expect(recvmsg(r, [buf], undefined, MSG_PEEK).bytes).toBe(4);
      const lengths = new Uint32Array(1);
      expect(recvmmsg(r, [buf], lengths, MSG_PEEK | MSG_DONTWAIT)).toBe(1);
      expect(lengths[0]).toBe(4);
      buf.fill(0);
      expect(recv(r, buf)).toBe(4);
      expect(buf.toString('utf8', 0, 4)).toBe('peek');
      expect(recv(r, buf, undefined, MSG_DONTWAIT)).toBe(-1); // it was there once only
    } finally {
      closeAll(r, s);
    }
  });
});

describe('MSG_DONTWAIT', () => {
  it('makes one call non-blocking on a blocking socket, both ways', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      expect(recv(b, Buffer.alloc(4), undefined, MSG_DONTWAIT)).toBe(-1);
      expect(recvmsg(b, [Buffer.alloc(4)], undefined, MSG_DONTWAIT).bytes).toBe(-1);
      // Fill the send buffer: the call that would block says -1.
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      let r: number;
      while ((r = send(a, chunk, undefined, MSG_DONTWAIT)) > 0) sent += r;
      expect(r).toBe(-1);
      expect(sent).toBeGreaterThan(0);
      expect(sendmsg(a, { buffers: [chunk] }, MSG_DONTWAIT)).toBe(-1);
    } finally {
      closeAll(a, b);
    }
  });
});

describe('MSG_WAITALL', () => {
  it('keeps a blocking recv waiting until the whole buffer is filled', async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      send(a, Buffer.from('abc'));
      // A worker sends the rest once this thread sits blocked in recv on
      // `b` (its /proc syscall line shows the fd), so without MSG_WAITALL
      // the recv would return the first 3 bytes alone.
      const worker = new Worker(
        `const { workerData: w } = require('node:worker_threads');
         const fs = require('node:fs');
         const addon = require(w.root + '/test/workers/addon.cjs');
         const file = '/proc/' + w.pid + '/task/' + w.pid + '/';
         const nap = new Int32Array(new SharedArrayBuffer(4));
         // Gives up after about 5 s, so a failing test cannot leave it spinning.
         for (let i = 0; i < 5000; i++) {
           const args = fs.readFileSync(file + 'syscall', 'utf8').split(' ');
           const state = fs.readFileSync(file + 'stat', 'utf8').split(') ')[1][0];
           if (Number(args[1]) === w.fd && Number(args[3]) === 6 && state === 'S') break;
           Atomics.wait(nap, 0, 0, 1);
         }
         addon.send(w.peer, Buffer.from('def'));`,
        { eval: true, workerData: { root: path.resolve(process.cwd()), pid: process.pid, fd: b, peer: a } },
      );
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      const buf = Buffer.alloc(6);
      expect(recv(b, buf, undefined, MSG_WAITALL)).toBe(6);
      expect(buf.toString()).toBe('abcdef');
      await exited;
      // The same through recvmsg, with the data already there.
      send(a, Buffer.from('123456'));
      expect(recvmsg(b, [Buffer.alloc(2), Buffer.alloc(4)], undefined, MSG_WAITALL).bytes).toBe(6);
      // At end of stream MSG_WAITALL returns what there is.
      send(a, Buffer.from('xy'));
      close(a);
      expect(recv(b, buf, undefined, MSG_WAITALL)).toBe(2);
    } finally {
      closeAll(a, b);
    }
  });

  it('reads the syscall file it relies on', () => {
    // The worker above reads /proc/<pid>/task/<tid>/syscall; make sure the
    // kernel here offers it, so that a failure there is not a silent hang.
    expect(readFileSync(`/proc/${process.pid}/task/${process.pid}/syscall`, 'utf8')).toMatch(/^(running|\d+ )/);
  });
});

describe('MSG_TRUNC', () => {
  it('on a datagram socket, returns the real length of a datagram longer than the buffer', () => {
    const { r, s } = udpPair();
    try {
      send(s, Buffer.from('0123456789'));
      send(s, Buffer.from('0123456789'));
      const buf = Buffer.alloc(4);
      expect(recv(r, buf, undefined, MSG_TRUNC)).toBe(10);
      expect(buf.toString()).toBe('0123');
      expect(recv(r, buf)).toBe(4); // without it, the count of bytes copied
    } finally {
      closeAll(r, s);
    }
  });

  it('on TCP, discards the bytes instead of copying them', () => {
    const { client, server } = tcpPair();
    try {
      send(client, Buffer.from('abcdef'));
      const buf = Buffer.alloc(3);
      expect(recv(server, buf, undefined, MSG_TRUNC | MSG_WAITALL)).toBe(3);
      expect(buf).toEqual(Buffer.alloc(3)); // untouched
      expect(recv(server, buf)).toBe(3);
      expect(buf.toString()).toBe('def');
    } finally {
      closeAll(client, server);
    }
  });
});

describe('MSG_MORE', () => {
  it('joins sends into one UDP datagram until a send without it', () => {
    const { r, s } = udpPair();
    try {
      expect(send(s, Buffer.from('ab'), undefined, MSG_MORE)).toBe(2);
      expect(sendto(s, Buffer.from('cd'), undefined, MSG_MORE, null)).toBe(2);
      expect(sendmsg(s, { buffers: [Buffer.from('ef')] })).toBe(2);
      const buf = Buffer.alloc(16);
      expect(buf.toString('utf8', 0, recv(r, buf))).toBe('abcdef');
      expect(recv(r, buf, undefined, MSG_DONTWAIT)).toBe(-1);
    } finally {
      closeAll(r, s);
    }
  });
});

describe('MSG_OOB', () => {
  it('sends and receives TCP urgent data apart from the stream', () => {
    const { client, server } = tcpPair();
    try {
      const buf = Buffer.alloc(8);
      expect(() => recv(server, buf, undefined, MSG_OOB | MSG_DONTWAIT)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'recv' }));
      send(client, Buffer.from('ab'));
      expect(send(client, Buffer.from('!'), undefined, MSG_OOB)).toBe(1);
      send(client, Buffer.from('cd'));
      expect(recv(server, buf, undefined, MSG_OOB)).toBe(1);
      expect(buf[0]).toBe('!'.charCodeAt(0));
      // The in-band read stops at the urgent mark, and the urgent byte is not in the stream.
      let text = '';
      while (text.length < 4) text += buf.toString('utf8', 0, recv(server, buf));
      expect(text).toBe('abcd');
    } finally {
      closeAll(client, server);
    }
  });
});

describe('MSG_NOSIGNAL', () => {
  it('is always on for the send family: send, sendto and sendmsg fail with EPIPE and raise no SIGPIPE; write raises it', async () => {
    // Node ignores SIGPIPE; a listener makes it observable. The listener
    // stays for the rest of this file's process: removing it would put the
    // default disposition (terminate) back.
    let signals = 0;
    let first!: () => void;
    const arrived = new Promise<void>((resolve) => (first = resolve));
    process.on('SIGPIPE', () => {
      signals++;
      first();
    });
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    close(b);
    try {
      const epipe = expect.objectContaining({ code: 'EPIPE' });
      expect(() => send(a, Buffer.from('x'), undefined, MSG_NOSIGNAL)).toThrow(epipe);
      expect(() => send(a, Buffer.from('x'))).toThrow(epipe);
      expect(() => sendto(a, Buffer.from('x'), undefined, 0, null)).toThrow(epipe);
      expect(() => sendmsg(a, { buffers: [Buffer.from('x')] })).toThrow(epipe);
      expect(() => write(a, Buffer.from('x'))).toThrow(epipe); // write(2) takes no flags: this one raises SIGPIPE
      await arrived;
      await new Promise((resolve) => setImmediate(resolve));
      expect(signals).toBe(1);
    } finally {
      closeAll(a);
    }
  });

  it('keeps a process alive whose SIGPIPE listener was removed (the default action is back then)', () => {
    // In a child: once a listener is added and removed, SIGPIPE terminates
    // again. send still fails with EPIPE; write is killed, as in C.
    const script = (last: string) => `
      const ps = require(${JSON.stringify(path.resolve('dist/index.js'))});
      const f = () => {};
      process.on('SIGPIPE', f);
      process.off('SIGPIPE', f);
      const [a, b] = ps.socketpair(ps.AF_UNIX, ps.SOCK_STREAM);
      ps.close(b);
      try { ps.send(a, Buffer.from('x')); } catch (e) { console.log(e.code); }
      ${last}
      console.log('alive');`;
    const sent = spawnSync(process.execPath, ['-e', script('')], { encoding: 'utf8', timeout: 15_000 });
    expect(sent.stdout.trim().split('\n')).toEqual(['EPIPE', 'alive']);
    expect(sent.status).toBe(0);
    const written = spawnSync(process.execPath, ['-e', script('ps.write(a, Buffer.from("x"));')], { encoding: 'utf8', timeout: 15_000 });
    expect(written.signal).toBe('SIGPIPE');
  });
});
