// Shared by the sockopt.<level>.test.ts files: sockets of each kind, skipping
// on a missing capability, the sysctls the kernel's rules depend on, the flag
// and int round trips every level has, and the bookkeeping that makes each
// level's file prove it exercised every option of its level.
import { readFileSync } from 'node:fs';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SocketError,
  close,
  getsockopt,
  getsockoptInt,
  setsockopt,
  socket,
  socketOptions,
} from '../lib/index.js';

export const sysctl = (path: string): string => readFileSync(`/proc/sys/${path}`, 'utf8').trim();
export const loIndex = Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8'));
export const loMtu = Number(readFileSync('/sys/class/net/lo/mtu', 'utf8'));

export type Kind = 'tcp' | 'udp' | 'tcp6' | 'udp6' | 'unix' | 'raw';

export function open(kind: Kind): number {
  switch (kind) {
    case 'tcp':
      return socket(AF_INET, SOCK_STREAM);
    case 'udp':
      return socket(AF_INET, SOCK_DGRAM);
    case 'tcp6':
      return socket(AF_INET6, SOCK_STREAM);
    case 'udp6':
      return socket(AF_INET6, SOCK_DGRAM);
    case 'unix':
      return socket(AF_UNIX, SOCK_STREAM);
    case 'raw':
      return socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
  }
}

export function withSocket(kind: Kind, fn: (fd: number) => void): void {
  const fd = open(kind);
  try {
    fn(fd);
  } finally {
    close(fd);
  }
}

/**
 * Runs `fn`, and skips the test (with the reason) when the kernel answers
 * with one of `codes`: a missing capability or a feature this kernel was
 * built without. Any other error fails the test.
 */
export function orSkip(ctx: TestContext, codes: string[], why: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof SocketError && codes.includes(e.code)) ctx.skip(`${why} (${e.code})`);
    throw e;
  }
}

/**
 * The options of one level that a file's tests exercised. `cover` refuses a
 * name the typed table does not list at this level, so a typo or an option
 * tested in the wrong level's file fails at once; `missing` is what the
 * file's last test expects to be empty (vitest runs a file's tests in order).
 */
export interface LevelCoverage {
  level: number;
  /** Every option the typed table lists at this level. */
  known: string[];
  cover(...names: string[]): void;
  missing(): string[];
}

export function levelCoverage(level: number): LevelCoverage {
  const known = socketOptions()
    .filter((o) => o.level === level)
    .map((o) => o.name);
  const covered = new Set<string>();
  return {
    level,
    known,
    cover(...names) {
      for (const name of names) {
        if (!known.includes(name)) throw new Error(`${name} is not an option of level ${level} in the typed table`);
        covered.add(name);
      }
    },
    missing: () => known.filter((name) => !covered.has(name)),
  };
}

/** [name, optname, socket, what the test needs beyond a socket] */
export type FlagRow = [string, number, Kind, string?];

/** A describe block of the level's flags: one test per row. */
export function flagRoundTrips(cov: LevelCoverage, flags: FlagRow[]): void {
  const { level } = cov;
  describe('flag options read as booleans and take true/false or 0/1', () => {
    it.for(flags)('%s', ([name, optname, kind, needs], ctx) => {
      cov.cover(name);
      let fd = -1;
      orSkip(ctx, ['EPERM', 'EACCES', 'EOPNOTSUPP', 'ENOPROTOOPT'], `${name} needs ${needs ?? 'kernel support'}`, () => {
        fd = open(kind);
        try {
          setsockopt(fd, level, optname, true);
        } catch (e) {
          close(fd);
          throw e;
        }
      });
      try {
        expect(getsockopt(fd, level, optname)).toBe(true);
        setsockopt(fd, level, optname, false);
        expect(getsockopt(fd, level, optname)).toBe(false);
        setsockopt(fd, level, optname, 1);
        expect(getsockopt(fd, level, optname)).toBe(true);
        expect(getsockoptInt(fd, level, optname)).toBe(1);
        setsockopt(fd, level, optname, 0);
        expect(getsockopt(fd, level, optname)).toBe(false);
      } finally {
        close(fd);
      }
    });
  });
}

/** [name, optname, socket, value set, value read back] */
export type IntRow = [string, number, Kind, number, number];

/** Int options read and take numbers; one test per row. */
export function intRoundTrips(cov: LevelCoverage, ints: IntRow[]): void {
  const { level } = cov;
  it.for(ints)('%s', ([name, optname, kind, value, expected]) => {
    cov.cover(name);
    withSocket(kind, (fd) => {
      const before = getsockopt(fd, level, optname);
      expect(typeof before).toBe('number');
      expect(before).not.toBe(expected); // so the round trip proves the set
      setsockopt(fd, level, optname, value);
      expect(getsockopt(fd, level, optname)).toBe(expected);
    });
  });
}

/**
 * The file's last test: every option of its level was exercised above.
 * The level must have options at all, or an empty `missing` would prove nothing.
 */
export function everyOptionCovered(cov: LevelCoverage, levelName: string): void {
  it(`every ${levelName} option of the typed table has a round-trip test in this file (it runs in order)`, () => {
    expect(cov.known.length, `${levelName} options in the typed table`).toBeGreaterThan(0);
    expect(cov.missing(), `${levelName} options in the typed table without a round-trip test`).toEqual([]);
  });
}
