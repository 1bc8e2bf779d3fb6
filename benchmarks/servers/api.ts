// What the addon servers need from posix-sockets, typed here, and whether the
// build at hand has it. The epoll, event-loop and poll parts of the API land
// on other branches; until they are merged the servers that need them exit
// with EXIT_UNAVAILABLE and a message, and the runner reports them skipped.
import * as ps from 'posix-sockets';

/** Exit status of a server whose part of the API is not in this build. */
export const EXIT_UNAVAILABLE = 3;

export interface EpollApi {
  epoll_create1(flags?: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, events: number, data?: number): void;
  epoll_wait(epfd: number, events: Uint32Array, maxevents: number, timeoutMs: number): number;
}

export interface EpollLoopLike {
  readonly epfd: number;
  start(callback: (count: number, events: Uint32Array) => void): void;
  stop(): void;
  close(): void;
}

export interface LoopApi {
  EpollLoop: new (options: { maxevents: number }) => EpollLoopLike;
}

export interface PollFdsLike {
  set(i: number, fd: number, events: number): void;
  fd(i: number): number;
  events(i: number): number;
  revents(i: number): number;
}

export interface PollApi {
  PollFds: new (capacity: number) => PollFdsLike;
  poll(fds: PollFdsLike, nfds: number, timeoutMs: number): number;
}

export interface SockoptApi {
  setsockopt(fd: number, level: number, option: number, value: number): void;
}

const lib = ps as unknown as Record<string, unknown>;

/** The names a server needs, by the part of the API they belong to. */
export const REQUIRES = {
  epoll: ['epoll_create1', 'epoll_ctl', 'epoll_wait'],
  loop: ['EpollLoop', 'epoll_ctl'],
  poll: ['PollFds', 'poll'],
  sockopt: ['setsockopt'],
} as const;

/** The names in `names` that this build of posix-sockets does not export. */
export function missing(names: readonly string[]): string[] {
  return names.filter((name) => typeof lib[name] !== 'function');
}

/** The part of the API named by `part`, or null when this build lacks it. */
export function api<K extends keyof typeof REQUIRES>(
  part: K,
): (K extends 'epoll' ? EpollApi : K extends 'loop' ? LoopApi & EpollApi : K extends 'poll' ? PollApi : SockoptApi) | null {
  return missing(REQUIRES[part]).length === 0 ? (lib as never) : null;
}

/**
 * Returns the API part a server cannot run without, or exits with
 * EXIT_UNAVAILABLE and a one-line reason the runner shows.
 */
export function requireApi<K extends 'epoll' | 'loop' | 'poll'>(part: K): NonNullable<ReturnType<typeof api<K>>> {
  const names = part === 'loop' ? REQUIRES.loop : REQUIRES[part];
  const absent = missing(names);
  if (absent.length > 0) {
    process.stderr.write(`unavailable: posix-sockets does not export ${absent.join(', ')} yet\n`);
    process.exit(EXIT_UNAVAILABLE);
  }
  return lib as never;
}
