// Child process for test/uring-loop.test.ts: the IoUringLoop behaviours that
// decide whether a process lives or dies, which a test can only watch from
// outside. Run as `tsx uring-loop-child.ts <mode>`; it prints what happened
// and exits.
import { readdirSync, readlinkSync } from 'node:fs';
import {
  IoUringLoop,
  io_uring_cq_advance,
  io_uring_for_each_cqe,
  io_uring_get_sqe,
  io_uring_prep_nop,
  io_uring_prep_read,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_sqe_set_data,
  io_uring_submit,
  type IoUring,
} from '../../lib/index.js';

/** The fds that are io_uring instances: ours, and (Node 22 and later) libuv's own rings. */
const ioUringFdList = (): string[] =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[io_uring]';
    } catch {
      return false; // the fd readdirSync itself had open
    }
  });

const ioUringFds = (): number => ioUringFdList().length;

const mode = process.argv[2];
// libuv's own rings (Node 22 and later) are there before ours, and stay.
const libuvRings = new Set(ioUringFdList());
const ring = io_uring_queue_init(8);
const loop = new IoUringLoop(ring);

function nop(r: IoUring, data: number): void {
  const sqe = io_uring_get_sqe(r)!;
  io_uring_prep_nop(sqe);
  io_uring_sqe_set_data(sqe, data);
}

/** Reads and marks seen every ready CQE; returns their user_data. */
function drain(r: IoUring): number[] {
  const seen: number[] = [];
  io_uring_cq_advance(r, io_uring_for_each_cqe(r, (c) => seen.push(c.user_data)));
  return seen;
}

switch (mode) {
  case 'unref': {
    // Started but unreferenced, a NOP's CQE pending: the process exits.
    loop.start(() => void drain(ring));
    loop.unref();
    process.on('exit', () => console.log(`exit hasRef=${loop.hasRef()}`));
    break;
  }
  case 'ref': {
    // Started and referenced: it alone keeps the process alive, so the
    // unreferenced timer gets to fire.
    loop.start(() => void drain(ring));
    setTimeout(() => {
      console.log('alive');
      loop.close();
      io_uring_queue_exit(ring);
    }, 50).unref();
    break;
  }
  case 'stopped': {
    loop.start(() => void drain(ring));
    loop.stop();
    process.on('exit', () => console.log('exit'));
    break;
  }
  case 'ring-closed': {
    // The ring's close closes the started loop (and its dup of the fd):
    // nothing keeps the process alive, and no io_uring fd is left.
    loop.start(() => void drain(ring));
    const ours = ioUringFdList().filter((fd) => !libuvRings.has(fd)); // the ring's fd and the loop's dup
    io_uring_queue_exit(ring);
    process.on('exit', () => console.log(`ours=${ours.length}, exit io_uring fds=${ioUringFdList().filter((fd) => ours.includes(fd)).length}`));
    break;
  }
  case 'refused': {
    // A refused SQE, staged by the callback and submitted by the loop, is an
    // uncaught RangeError; the batch goes, and the loop goes on.
    let batches = 0;
    process.on('uncaughtException', (e) => {
      console.log(`caught ${e.name} ${e.message}`);
      nop(ring, 7);
      io_uring_submit(ring);
    });
    loop.start((r) => {
      const seen = drain(r);
      batches++;
      if (batches === 1) {
        io_uring_prep_read(io_uring_get_sqe(r)!, -1, 7 * 2 ** 32, 16, 0); // arena 6: the ring has none
        return;
      }
      console.log(`batch ${batches} ${seen.join(',') === '7' ? 'nop' : seen.join(',')}`);
      loop.close();
      io_uring_queue_exit(ring);
    });
    nop(ring, 1);
    io_uring_submit(ring);
    break;
  }
  case 'bad-return': {
    process.on('uncaughtException', (e) => {
      console.log(`caught ${e.name} ${e.message}`);
      loop.close();
      io_uring_queue_exit(ring);
    });
    loop.start((r) => {
      drain(r);
      return 0;
    });
    nop(ring, 1);
    io_uring_submit(ring);
    break;
  }
  case 'throw-unhandled': {
    loop.start(() => {
      throw new Error('boom unhandled');
    });
    nop(ring, 1);
    io_uring_submit(ring);
    break;
  }
  case 'gc': {
    // Loops dropped without close() (started and stopped, or never started)
    // are closed by the garbage collector: their dups of the ring fd go.
    // (Run with --expose-gc.)
    loop.close();
    const before = ioUringFds();
    for (let i = 0; i < 50; i++) {
      const l = new IoUringLoop(ring);
      if (i % 2 === 0) {
        l.start(() => l.stop());
        l.stop();
      }
    }
    const created = ioUringFds() - before;
    const gc = (globalThis as { gc?: () => void }).gc as () => void;
    gc();
    setTimeout(() => {
      gc();
      setTimeout(() => {
        console.log(`created=${created} left=${ioUringFds() - before}`);
        io_uring_queue_exit(ring);
      }, 20);
    }, 20);
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
