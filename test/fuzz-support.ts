// What the fuzz test (fuzz.test.ts) stands on: the calls it leaves out and
// why, its seeded generator, the pool of fds it owns (one of each kind), and
// how it prints an argument.
import { openSync } from 'node:fs';
import * as path from 'node:path';
import * as api from '../lib/index.js';
import { openFds } from './helpers.js';

const { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOCK_SEQPACKET, EFD_NONBLOCK, O_NONBLOCK, TFD_NONBLOCK, SFD_NONBLOCK, CLOCK_MONOTONIC, SIGUSR2 } = api;

// What it never does, so that it cannot block or hurt its own process:
// - it passes only fds it opened itself (all O_NONBLOCK, made so again after
//   any call that could change that or reuse a number), plus numbers no fd
//   has (closed, negative); never 0, 1, 2 or an fd of the test runner;
// - every timeout is 0 (a timeout of -1 or null would wait forever);
// - getaddrinfo and getnameinfo get AI_NUMERICHOST / NI_NUMERICHOST, since
//   a name lookup would wait on DNS;
// - it skips the calls whose effect reaches past the fds it owns:
//   sigprocmask and pthread_sigmask (the thread's signal mask), tgkill
//   (sends signals), trace (rewires the addon object for everyone).
export const SKIP = new Map<string, string>([
  ['sigprocmask', "changes the thread's signal mask"],
  ['pthread_sigmask', "changes the thread's signal mask"],
  ['tgkill', 'sends signals'],
  ['trace', 'rewires the shared addon object and prints every call'],
  // Waits whose timeout is a struct the generator does not bound (a random
  // { tv_sec } could block for days); each has its own bad-input tests.
  ['select', 'a random timeval may block for as long as it says'],
  ['pselect', 'a random timespec may block for as long as it says'],
  ['ppoll', 'a random timespec may block for as long as it says'],
  ['epoll_pwait', 'a random timeout may block for as long as it says'],
  ['epoll_pwait2', 'a random timespec may block for as long as it says'],
  // A random name is a DNS query, which must never leave the machine.
  ['getaddrinfo', 'a random host name would be looked up in DNS'],
  ['getnameinfo', 'a random address would be looked up in reverse DNS'],
  ['signalfd', "blocks nothing itself, but its mask is meant to go with sigprocmask's, which is left out"],
]);
// io_uring has a fuzz test of its own (test/liburing.fuzz.test.ts) that
// writes random bytes over the SQEs it submits; its waits (submit_and_wait,
// wait_cqe) would block here on a ring that never completes.
export const SKIP_FAMILY = /uring/i;

/** mulberry32: a small, fast, seeded generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FuzzError extends Error {}

/** The fds the fuzzer owns: one of each kind. */
export function openPool(dir: string): number[] {
  const fds: number[] = [];
  const push = (...xs: number[]) => fds.push(...xs);
  const listener = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  api.bind(listener, { family: AF_INET, address: '127.0.0.1', port: 0 });
  api.listen(listener, 8);
  const port = (api.getsockname(listener) as { port: number }).port;
  const client = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  api.connect(client, { family: AF_INET, address: '127.0.0.1', port });
  push(listener, client);
  const udp = api.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK);
  api.bind(udp, { family: AF_INET, address: '127.0.0.1', port: 0 });
  push(udp, api.socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK), api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK));
  push(...api.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK), ...api.socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK));
  push(...api.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK));
  push(...api.pipe(O_NONBLOCK), api.eventfd(0, EFD_NONBLOCK), api.epoll_create1(0));
  push(api.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), api.signalfd(-1, [SIGUSR2], SFD_NONBLOCK));
  push(openSync(path.join(dir, 'file'), 'w+'));
  for (const fd of fds) api.setNonBlocking(fd);
  return fds;
}

// The fds open now. openFds leaves out the one readdir itself had open,
// which is closed by the time the list is read (its number is free).
export const openFdSet = (): Set<number> => new Set(openFds().keys());

/** How many arguments a call needs at least so that its timeout is never left to its default (which waits forever). */
export function lastTimeout(t: { params: string[] }): number {
  const k = t.params.findIndex((p) => /^timeout/.test(p));
  return k < 0 ? 0 : k + 1;
}

/** An argument as FUZZ_LOG prints it (the call a blocked or crashed run was in). */
export function describeArg(a: unknown): string {
  if (ArrayBuffer.isView(a)) return `${a.constructor.name}(${a.byteLength})`;
  if (typeof a === 'bigint') return `${a}n`;
  if (typeof a === 'symbol' || typeof a === 'function') return typeof a;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return '[object]';
  }
}
