// Child process for test/loop.test.ts: the EpollLoop behaviours that decide
// whether a process lives or dies, which a test can only watch from outside.
// Run as `tsx loop-child.ts <mode>`; it prints what happened and exits.
import { readdirSync, readlinkSync } from 'node:fs';
import { EFD_NONBLOCK, EPOLLIN, EPOLL_CTL_ADD, EpollLoop, Poller, close, epoll_ctl, eventfd, read, write } from '../../lib/index.js';

const mode = process.argv[2];
const loop = new EpollLoop({ maxevents: 8 });
const efd = eventfd(0, EFD_NONBLOCK);
epoll_ctl(loop.epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
const counter = new Uint8Array(8);
const kick = (): void => void write(efd, new BigUint64Array([1n]));

/**
 * Closes this file's own loop, runs `drop` (which creates loops and lets go
 * of them), collects garbage twice, and prints how many fds `drop` opened
 * and how many are still open. (Run with --expose-gc.)
 */
function countAfterGc(drop: () => void): void {
  loop.close();
  close(efd);
  // Only epoll fds are counted: others (tsx's cache writes) may close
  // while the loops are collected, which would skew a count of every fd.
  const isEpoll = (fd: string): boolean => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventpoll]';
    } catch {
      return false; // the fd readdirSync itself had open
    }
  };
  const count = (): number => readdirSync('/proc/self/fd').filter(isEpoll).length;
  const before = count();
  drop();
  const created = count() - before;
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  gc();
  setTimeout(() => {
    gc();
    setTimeout(() => console.log(`created=${created} left=${count() - before}`), 20);
  }, 20);
}

switch (mode) {
  case 'unref': {
    // Started but unreferenced: nothing else is pending, so the process
    // exits at once.
    loop.start(() => undefined);
    loop.unref();
    process.on('exit', () => console.log(`exit hasRef=${loop.hasRef()}`));
    break;
  }
  case 'ref': {
    // Started and referenced: it alone keeps the process alive, so the
    // unreferenced timer gets to fire.
    loop.start(() => undefined);
    setTimeout(() => {
      console.log('alive');
      loop.close();
      close(efd);
    }, 50).unref();
    break;
  }
  case 'stopped': {
    // Stopped (or never started) loops do not keep the process alive.
    loop.start(() => undefined);
    loop.stop();
    process.on('exit', () => console.log('exit'));
    break;
  }
  case 'throw-handled': {
    // A throw becomes an uncaught exception; the loop survives it.
    let batches = 0;
    process.on('uncaughtException', (e) => {
      console.log(`caught ${e.message}`);
      kick();
    });
    loop.start(() => {
      read(efd, counter);
      batches++;
      if (batches === 1) throw new Error('boom in batch 1');
      console.log(`batch ${batches}`);
      loop.close();
      close(efd);
    });
    kick();
    break;
  }
  case 'throw-unhandled': {
    loop.start(() => {
      read(efd, counter);
      throw new Error('boom unhandled');
    });
    kick();
    break;
  }
  case 'gc': {
    // Loops dropped without close() are closed by the garbage collector:
    // their epfds are released. (Run with --expose-gc.)
    countAfterGc(() => {
      for (let i = 0; i < 50; i++) new EpollLoop({ maxevents: 4 });
    });
    break;
  }
  case 'gc-started': {
    // Loops and Pollers that were started and then stopped, dropped without
    // close(), are collected too: stop() lets go of the callback, which
    // closes over the loop (a Poller's dispatch always does). (Run with
    // --expose-gc.)
    countAfterGc(() => {
      for (let i = 0; i < 25; i++) {
        const l = new EpollLoop({ maxevents: 4 });
        l.start(() => l.stop());
        l.stop();
        const p = new Poller({ maxevents: 4 });
        p.start();
        p.stop();
      }
    });
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
