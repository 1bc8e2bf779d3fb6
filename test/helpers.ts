// Shared by the tests: loopback sockets and the fd-leak check.
import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept,
  bind,
  close,
  connect,
  getsockname,
  io_uring_setup,
  listen,
  socket,
  SocketError,
  type Sockaddr,
} from '../lib/index.js';

/** The fds this process has open, with what each refers to. */
export function openFds(): Map<number, string> {
  const fds = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      fds.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd readdir itself used, already closed
    }
  }
  return fds;
}

/** The fds open now that were not open in `before`. */
export function fdsOpenedSince(before: Map<number, string>): Array<[number, string]> {
  const now = openFds();
  return [...now].filter(([fd, target]) => before.get(fd) !== target);
}

/** Runs `fn` with a new socket, closed afterwards whatever `fn` does. */
export function withSocket(domain: number, type: number, fn: (fd: number) => void): void {
  const fd = socket(domain, type);
  try {
    fn(fd);
  } finally {
    close(fd);
  }
}

/** The port a bound socket got (after bind to port 0). */
export function portOf(fd: number): number {
  const addr = getsockname(fd);
  if (addr.family !== AF_INET && addr.family !== AF_INET6) throw new Error('not an IP socket');
  return addr.port;
}

/** The loopback address for a family, with a port. */
export function loopback(family: typeof AF_INET | typeof AF_INET6 = AF_INET, port = 0): Sockaddr {
  return family === AF_INET ? { family, address: '127.0.0.1', port } : { family, address: '::1', port };
}

/** A TCP socket bound to loopback port 0 and listening. */
export function listening(opts: { family?: typeof AF_INET | typeof AF_INET6; nonblock?: boolean; backlog?: number } = {}): number {
  const family = opts.family ?? AF_INET;
  const fd = socket(family, SOCK_STREAM | (opts.nonblock ? SOCK_NONBLOCK : 0));
  try {
    bind(fd, loopback(family));
    listen(fd, opts.backlog);
  } catch (e) {
    close(fd);
    throw e;
  }
  return fd;
}

/** A connected TCP pair over loopback: the client's fd and the accepted fd. */
export function tcpPair(family: typeof AF_INET | typeof AF_INET6 = AF_INET): { client: number; server: number } {
  const lfd = listening({ family });
  try {
    const client = socket(family, SOCK_STREAM);
    connect(client, loopback(family, portOf(lfd)));
    const server = accept(lfd);
    return { client, server };
  } finally {
    close(lfd);
  }
}

/** Closes every fd given, ignoring ones already closed. */
export function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      close(fd);
    } catch {
      // already closed by the test
    }
  }
}

let uringAnswer: string | null | undefined;
/**
 * Why this kernel refuses io_uring (EPERM or ENOSYS from io_uring_setup: the
 * kernel.io_uring_disabled sysctl, a seccomp profile), printed once; null
 * where it works. The io_uring tests skip only then.
 */
export function uringRefused(): string | null {
  if (uringAnswer === undefined) {
    try {
      close(io_uring_setup(1, {}));
      uringAnswer = null;
    } catch (e) {
      if (!(e instanceof SocketError) || (e.code !== 'EPERM' && e.code !== 'ENOSYS')) throw e;
      uringAnswer = e.message;
      console.log(`io_uring tests skipped: ${e.message}`);
    }
  }
  return uringAnswer;
}

/**
 * Runs `script` (a test/workers/ TypeScript file) in a child Node with tsx,
 * with `mode` as its argument and `flags` before it (--expose-gc), at most
 * 15 s; resolves with its exit code and what it printed. For the lifetime
 * tests, whose subject is whether a process ends by itself.
 */
export function runChild(script: string, mode: string, flags: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...flags, '--import', 'tsx', script, mode], { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}
