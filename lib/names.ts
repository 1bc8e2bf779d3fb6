// Names for numbers, for printing: 2 -> 'AF_INET', 0x2001 -> 'EPOLLIN|EPOLLRDHUP'.
// The names and values are the constants the addon was built with; nothing
// here is typed by hand but the prefixes. Shared by the trace mode and the
// lessons.
import { constants } from './constants.js';

// Names that share a prefix with a family of values but are not of it:
// EPOLL_CTL_ADD (1) is not an event like EPOLLIN (1); IP_PMTUDISC_DO is a
// value of IP_MTU_DISCOVER, not an option at IPPROTO_IP.
function inFamily(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  const rest = name.slice(prefix.length);
  return rest !== '' && !rest.startsWith('_') && !(prefix === 'IP_' && rest.startsWith('PMTUDISC'));
}

const byPrefix = new Map<string, Array<[string, number]>>();
function family(prefix: string): Array<[string, number]> {
  let names = byPrefix.get(prefix);
  if (names === undefined) {
    // In the generator's order, so where two names share a value the first
    // listed (the one the man pages use: AF_UNIX before AF_LOCAL) wins.
    names = Object.entries(constants).filter(([name]) => inFamily(name, prefix));
    byPrefix.set(prefix, names);
  }
  return names;
}

/**
 * The name of the constant whose value is `value` among those starting with
 * `prefix` (`constantName(2, 'AF_')` is `'AF_INET'`), or the number as text
 * when none has it. For printing what C code compares: an address family,
 * a socket type, an option, a `how`.
 * @see https://man7.org/linux/man-pages/man2/socket.2.html for the families and types
 */
export function constantName(value: number, prefix: string): string {
  for (const [name, v] of family(prefix)) if (v === value) return name;
  return String(value);
}

/**
 * A flags word as its names joined by `|`, as strace prints it:
 * `flagNames(EPOLLIN | EPOLLRDHUP, 'EPOLL')` is `'EPOLLIN|EPOLLRDHUP'`. Bits
 * no single-bit constant of the family names are printed in hex at the end;
 * 0 is `'0'`.
 * @see https://man7.org/linux/man-pages/man2/epoll_ctl.2.html for the EPOLL* events
 */
export function flagNames(value: number, prefix: string): string {
  let rest = value >>> 0;
  const parts: string[] = [];
  // Lowest bit first, as strace prints them; a stable sort keeps the first
  // listed of two names for one bit first.
  const bits = [...family(prefix)].sort((x, y) => (x[1] >>> 0) - (y[1] >>> 0));
  for (const [name, v] of bits) {
    const bit = v >>> 0;
    // Single bits only: a multi-bit name (EPOLLRDNORM is one bit, but
    // SOCK_STREAM is a value, not a flag) would swallow several.
    if (bit !== 0 && ((bit & (bit - 1)) >>> 0) === 0 && ((rest & bit) >>> 0) === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : '0';
}

/**
 * A socket type as strace prints it: the type's name with its flags,
 * `'SOCK_STREAM|SOCK_NONBLOCK'`.
 * @see https://man7.org/linux/man-pages/man2/socket.2.html
 */
export function socketTypeName(type: number): string {
  const flags = (constants.SOCK_NONBLOCK ?? 0) | (constants.SOCK_CLOEXEC ?? 0);
  const base = constantName(type & ~flags, 'SOCK_');
  const extra = type & flags;
  return extra ? `${base}|${flagNames(extra, 'SOCK_')}` : base;
}
