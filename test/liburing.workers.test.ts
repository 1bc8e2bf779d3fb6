// io_uring rings in worker_threads: a worker that exits, or is terminated,
// with operations in flight closes its ring (the environment's cleanup
// hook): its fd goes, and the parent's sockets, which the operations were
// on, are left working. And a ring that becomes garbage with an operation
// in flight is closed by its finalizer.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { read, write } from '../lib/index.js';
import { closeAll, listening, tcpPair, uringRefused } from './helpers.js';

let fds: number[] = [];
afterEach(() => {
  closeAll(...fds);
  fds = [];
});

async function run(how: 'exit' | 'terminate'): Promise<void> {
  const { client, server } = tcpPair();
  const lfd = listening();
  fds.push(client, server, lfd);
  const w = new Worker(path.join(__dirname, 'workers', 'uring-worker.cjs'), { workerData: { sock: server, lfd, how } });
  const ready = await new Promise<{ fd: number; submitted: number; arena: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  expect(ready.submitted).toBe(3);
  expect(ready.arena).toBe(4096);
  expect(readlinkSync(`/proc/self/fd/${ready.fd}`)).toBe('anon_inode:[io_uring]');
  const exited = new Promise<number>((resolve) => w.once('exit', resolve));
  if (how === 'terminate') await w.terminate();
  else w.postMessage('exit');
  expect(await exited).toBe(how === 'exit' ? 0 : 1);
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    gone = !existsSync(`/proc/self/fd/${ready.fd}`) || readlinkSync(`/proc/self/fd/${ready.fd}`) !== 'anon_inode:[io_uring]';
    if (!gone) await new Promise((r) => setTimeout(r, 10));
  }
  expect(gone).toBe(true);
  // The recv was cancelled, not left to steal the parent's bytes.
  write(client, Buffer.from('still here'));
  const got = Buffer.alloc(10);
  expect(read(server, got)).toBe(10);
  expect(got.toString()).toBe('still here');
}

describe.skipIf(uringRefused())('io_uring in a worker', () => {
  it('a worker that exits with operations in flight closes its ring', () => run('exit'));
  it('a terminated worker closes its ring', () => run('terminate'));
});

describe.skipIf(uringRefused())('io_uring and the garbage collector', () => {
  it('a ring collected with an operation in flight is closed by its finalizer', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'workers', 'uring-gc.cjs')], {
      encoding: 'utf8',
      env: process.env,
    });
    expect(JSON.parse(out)).toEqual({ before: [true, true, true, true], after: [false, false, false, false] });
  });
});
