// Trace mode: every call this library makes, printed as strace decodes it,
// `recv(5, "hello\n", 4096, 0) = 6`, and nothing of Node's own system calls.
//
// Tracing wraps the addon's functions in place: every lib/ module calls them
// through the one addon object (lib/native.ts), so a wrapper there sees each
// call with the arguments the system call gets and its raw answer (the
// result, or -errno). Off, nothing is wrapped and a call costs what it cost
// before. POSIX_SOCKETS_TRACE=1 turns it on at load, for the whole run.
import { constantName, flagNames, socketTypeName } from './names.js';
import { errnoMessage, errnoName } from './errors.js';
import { constants, sizeof } from './constants.js';
import { htonl, ntohs } from './address.js';
import { inet_ntoa } from './cstruct.js';
import { nativeModule } from './native.js';

/** Where trace lines go: a stream (process.stderr by default, as strace) or a function. */
export type TraceSink = { write(text: string): unknown } | ((line: string) => void);

type Native = (...args: unknown[]) => unknown;
const addon = nativeModule<Record<string, unknown>>();
const originals = new Map<string, Native>();
let emit: (line: string) => void = () => {};

const c = constants;
const MAX_STRING = 32; // strace's default -s

/** Bytes as strace prints them: a C string literal, cut after 32 bytes with `...`. */
function bytes(view: unknown, length: number): string {
  if (!ArrayBuffer.isView(view)) return String(view);
  const b = new Uint8Array(view.buffer, view.byteOffset, Math.min(length, view.byteLength));
  let out = '"';
  for (let i = 0; i < Math.min(b.length, MAX_STRING); i++) {
    const ch = b[i]!;
    if (ch === 0x0a) out += '\\n';
    else if (ch === 0x0d) out += '\\r';
    else if (ch === 0x09) out += '\\t';
    else if (ch === 0x22 || ch === 0x5c) out += `\\${String.fromCharCode(ch)}`;
    else if (ch >= 0x20 && ch < 0x7f) out += String.fromCharCode(ch);
    else out += `\\${ch.toString(8)}`;
  }
  return `${out}"${b.length > MAX_STRING ? '...' : ''}`;
}

type Addr = Record<string, unknown>;
const n = (v: unknown, dflt = 0): number => (v === undefined || v === null ? dflt : (v as number));

/** A sockaddr as strace prints it, with its length. */
function sockaddr(a: unknown): [string, number] {
  if (a === null || a === undefined) return ['NULL', 0];
  if (ArrayBuffer.isView(a)) return [`{sa_family=${a.byteLength >= 2 ? new DataView(a.buffer, a.byteOffset).getUint16(0, true) : '?'}, ...}`, a.byteLength];
  if (typeof a !== 'object') return [String(a), 0];
  const o = a as Addr;
  const family = (o.family ?? o.sin_family ?? o.sin6_family ?? o.sun_family) as number;
  // Both forms print as strace prints C's: the port through htons, the
  // IPv4 address through inet_addr.
  const port = `htons(${o.port !== undefined ? (o.port as number) : ntohs(n(o.sin_port ?? o.sin6_port))})`;
  if (family === c.AF_INET) {
    const ip =
      typeof o.address === 'string'
        ? o.address
        : typeof o.address === 'number'
          ? inet_ntoa({ s_addr: htonl(o.address) })
          : inet_ntoa({ s_addr: n((o.sin_addr as Addr | undefined)?.s_addr) });
    return [`{sa_family=AF_INET, sin_port=${port}, sin_addr=inet_addr("${ip}")}`, sizeof.sockaddr_in!];
  }
  if (family === c.AF_INET6) {
    const text = typeof o.address === 'string' ? o.address : '::';
    return [`{sa_family=AF_INET6, sin6_port=${port}, sin6_flowinfo=htonl(${(o.flowinfo as number) ?? 0}), inet_pton(AF_INET6, "${text}", &sin6_addr), sin6_scope_id=${(o.scopeid as number) ?? 0}}`, sizeof.sockaddr_in6!];
  }
  if (family === c.AF_UNIX) {
    const path = String(o.path ?? o.sun_path ?? '');
    const abstract = path.startsWith('\0');
    // An unnamed socket's address is the family alone (2 bytes).
    if (path === '') return ['{sa_family=AF_UNIX}', 2];
    const shown = abstract ? `@${JSON.stringify(path.slice(1))}` : JSON.stringify(path);
    return [`{sa_family=AF_UNIX, sun_path=${shown}}`, 2 + Buffer.byteLength(path) + (abstract ? 0 : 1)];
  }
  if (family === undefined) return ['0x...', 0];
  return [`{sa_family=${constantName(family, 'AF_')}}`, 16];
}

// A value-result length as strace prints it: `[16]` when the kernel left it
// as it came in, `[110 => 2]` when it changed it.
const lengthPair = (before: number, after: number): string => (before === after ? `[${before}]` : `[${before} => ${after}]`);
// What a call without C's pair gives the kernel as room: a sockaddr_storage.
const STORAGE = sizeof.sockaddr_storage ?? 128;
/** The `{ value }` of a value-result argument, or undefined. */
const lenValue = (v: unknown): number | undefined =>
  typeof v === 'object' && v !== null && typeof (v as { value?: unknown }).value === 'number' ? (v as { value: number }).value : undefined;
/** An out-address and its length after a call: `{...}, [in => out]`, or what strace prints for NULL and for a failed call. */
function addressOut(addr: unknown, len: unknown, before: number | undefined, ok: boolean): string {
  if (addr === undefined || addr === null) return 'NULL, NULL';
  const room = before ?? STORAGE;
  if (!ok) return `0x..., [${room}]`;
  const after = lenValue(len) ?? sockaddr(addr)[1];
  return `${sockaddr(addr)[0]}, ${lengthPair(room, after)}`;
}

// The protocol argument of socket(2), as strace decodes it for the IP families.
const protocol = (family: number, p: number): string =>
  family === c.AF_INET || family === c.AF_INET6 ? constantName(p, 'IPPROTO_') : String(p);

// A socket option's value as strace prints it, with its length: an int in
// brackets, a struct in braces with its C field names.
function optionValue(l: number, o: number, v: unknown): string {
  if (typeof v === 'number' && (o === c.SO_RCVTIMEO || o === c.SO_SNDTIMEO) && l === c.SOL_SOCKET)
    return `{tv_sec=${Math.floor(v / 1000)}, tv_usec=${(v % 1000) * 1000}}, ${sizeof.timeval ?? 16}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `[${Number(v)}], 4`;
  if (ArrayBuffer.isView(v)) return `${bytes(v, v.byteLength)}, ${v.byteLength}`;
  if (typeof v === 'object' && v !== null) {
    const f = v as Record<string, unknown>;
    if ('onoff' in f) return `{l_onoff=${Number(f.onoff)}, l_linger=${n(f.linger)}}, ${sizeof.linger ?? 8}`;
    if ('sec' in f || 'usec' in f) return `{tv_sec=${n(f.sec)}, tv_usec=${n(f.usec)}}, ${sizeof.timeval ?? 16}`;
  }
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}` : x));
}

const result = (r: unknown): string => {
  if (typeof r !== 'number') return typeof r === 'object' && r !== null ? (Array.isArray(r) ? `0, [${r.join(', ')}]` : '0') : String(r);
  return r >= 0 ? String(r) : `-1 ${errnoName(-r)} (${errnoMessage(-r)})`;
};
// For the wrappers that answer undefined and leave errno in the Int32Array
// they were given (fcntl, ioctl, getsockopt): their value may be negative.
const slotResult = (r: unknown, err: unknown): string =>
  r === undefined && err instanceof Int32Array ? result(-err[0]!) : String(r);
const level = (l: number): string => (l === c.SOL_SOCKET ? 'SOL_SOCKET' : constantName(l, 'IPPROTO_'));
const OPTION_PREFIX = new Map<number, string>([
  [c.SOL_SOCKET!, 'SO_'],
  [c.IPPROTO_TCP!, 'TCP_'],
  [c.IPPROTO_IP!, 'IP_'],
  [c.IPPROTO_IPV6!, 'IPV6_'],
  [c.IPPROTO_UDP!, 'UDP_'],
]);
const option = (l: number, o: number): string => (OPTION_PREFIX.has(l) ? constantName(o, OPTION_PREFIX.get(l)!) : String(o));
// A byte call's (count, offset) as the system call sees them: the count that
// reaches the kernel is the rest of the buffer when none was given.
const count = (buf: unknown, len: unknown, off: unknown): number =>
  len !== undefined && len !== null ? (len as number) : ArrayBuffer.isView(buf) ? buf.byteLength - n(off) : 0;
const slice = (buf: unknown, off: unknown): unknown =>
  ArrayBuffer.isView(buf) ? new Uint8Array(buf.buffer, buf.byteOffset + n(off), buf.byteLength - n(off)) : buf;
// An out-buffer: what the kernel wrote, or (strace prints its address) a
// placeholder when the call failed.
const out = (r: unknown, buf: unknown, off: unknown): string =>
  typeof r === 'number' && r >= 0 ? bytes(slice(buf, off), r) : '0x...';

// How each call prints: the arguments as the system call gets them (after
// the call, so that out-buffers show what the kernel wrote), then " = " and
// the result. A call with no entry prints its arguments plainly.
const FORMATS: Record<string, (a: unknown[], r: unknown, lens: (number | undefined)[]) => string> = {
  socket: (a, r) => `socket(${constantName(n(a[0]), 'AF_')}, ${socketTypeName(n(a[1]))}, ${protocol(n(a[0]), n(a[2]))}) = ${result(r)}`,
  socketpair: (a, r) =>
    `socketpair(${constantName(n(a[0]), 'AF_')}, ${socketTypeName(n(a[1]))}, ${n(a[2])}, ${Array.isArray(r) ? `[${r.join(', ')}]` : '0x...'}) = ${Array.isArray(r) ? 0 : result(r)}`,
  bind: (a, r) => `bind(${a[0]}, ${sockaddr(a[1])[0]}, ${a[2] ?? sockaddr(a[1])[1]}) = ${result(r)}`,
  connect: (a, r) => `connect(${a[0]}, ${sockaddr(a[1])[0]}, ${a[2] ?? sockaddr(a[1])[1]}) = ${result(r)}`,
  listen: (a, r) => `listen(${a[0]}, ${n(a[1], c.SOMAXCONN)}) = ${result(r)}`,
  accept: (a, r, lens) => {
    const peer = addressOut(a[1], a[2], lens[2], typeof r === 'number' && r >= 0);
    return a[3] === undefined || a[3] === 0
      ? `accept(${a[0]}, ${peer}) = ${result(r)}`
      : `accept4(${a[0]}, ${peer}, ${flagNames(n(a[3]), 'SOCK_')}) = ${result(r)}`;
  },
  shutdown: (a, r) => `shutdown(${a[0]}, ${constantName(n(a[1]), 'SHUT_')}) = ${result(r)}`,
  close: (a, r) => `close(${a[0]}) = ${result(r)}`,
  read: (a, r) => `read(${a[0]}, ${out(r, a[1], a[3])}, ${count(a[1], a[2], a[3])}) = ${result(r)}`,
  write: (a, r) => `write(${a[0]}, ${bytes(slice(a[1], a[3]), count(a[1], a[2], a[3]))}, ${count(a[1], a[2], a[3])}) = ${result(r)}`,
  recv: (a, r) =>
    `recv(${a[0]}, ${out(r, a[1], a[4])}, ${count(a[1], a[2], a[4])}, ${flagNames(n(a[3]), 'MSG_')}) = ${result(r)}`,
  send: (a, r) =>
    `send(${a[0]}, ${bytes(slice(a[1], a[4]), count(a[1], a[2], a[4]))}, ${count(a[1], a[2], a[4])}, ${flagNames(n(a[3]), 'MSG_')}) = ${result(r)}`,
  recvfrom: (a, r, lens) => {
    // The friendly form (no address argument) gets { bytes, address } back.
    const friendly = typeof r === 'object' && r !== null;
    const bytesIn = friendly ? (r as { bytes: number }).bytes : r;
    const ok = typeof bytesIn === 'number' && bytesIn >= 0;
    const from = friendly
      ? addressOut((r as { address: unknown }).address, undefined, undefined, true)
      : a.length <= 4 && typeof bytesIn === 'number' && bytesIn < 0
        ? `0x..., [${STORAGE}]`
        : addressOut(a[4], a[5], lens[5], ok);
    return `recvfrom(${a[0]}, ${out(bytesIn, a[1], a[6])}, ${count(a[1], a[2], a[6])}, ${flagNames(n(a[3]), 'MSG_')}, ${from}) = ${result(bytesIn)}`;
  },
  sendto: (a, r) => {
    const [to, len] = sockaddr(a[4]);
    return `sendto(${a[0]}, ${bytes(slice(a[1], a[6]), count(a[1], a[2], a[6]))}, ${count(a[1], a[2], a[6])}, ${flagNames(n(a[3]), 'MSG_')}, ${to}, ${a[5] ?? len}) = ${result(r)}`;
  },
  setsockopt: (a, r) => `setsockopt(${a[0]}, ${level(n(a[1]))}, ${option(n(a[1]), n(a[2]))}, ${optionValue(n(a[1]), n(a[2]), a[3])}) = ${result(r)}`,
  getsockopt: (a, r) => {
    const head = `getsockopt(${a[0]}, ${level(n(a[1]))}, ${option(n(a[1]), n(a[2]))}`;
    if (r === undefined) return `${head}, 0x..., [4]) = ${slotResult(r, a[3])}`;
    // The value and its length as strace prints the out-pair: `[1], [4]`.
    const [value, len] = optionValue(n(a[1]), n(a[2]), r).split(/, (?=\d+$)/);
    return `${head}, ${value}${len === undefined ? '' : `, [${len}]`}) = 0`;
  },
  fcntl: (a, r) => `fcntl(${a[0]}, ${constantName(n(a[1]), 'F_')}${a[2] !== undefined ? `, ${a[2]}` : ''}) = ${slotResult(r, a[3])}`,
  ioctl: (a, r) => `ioctl(${a[0]}, ${n(a[1])}${a[2] !== undefined ? `, ${a[2]}` : ''}) = ${slotResult(r, a[3])}`,
  epoll_create1: (a, r) => `epoll_create1(${n(a[0]) ? flagNames(n(a[0]), 'EPOLL_') : 0}) = ${result(r)}`,
  epoll_ctl: (a, r) =>
    `epoll_ctl(${a[0]}, ${constantName(n(a[1]), 'EPOLL_CTL_')}, ${a[2]}, {events=${flagNames(n(a[3]), 'EPOLL')}, data=${a[4] ?? a[2]}}) = ${result(r)}`,
  epoll_wait: (a, r) => {
    const ev = a[1] as Uint32Array;
    const ready = typeof r === 'number' && r > 0 ? Array.from({ length: r }, (_, i) => `{events=${flagNames(ev[2 * i]!, 'EPOLL')}, data=${ev[2 * i + 1]}}`) : [];
    return `epoll_wait(${a[0]}, [${ready.join(', ')}], ${a[2]}, ${a[3]}) = ${result(r)}`;
  },
  getsockname: (a, r, lens) => nameCall('getsockname', a, r, lens),
  getpeername: (a, r, lens) => nameCall('getpeername', a, r, lens),
};

// getsockname and getpeername, in either form: the friendly one returns the
// address (the kernel had a sockaddr_storage's room), C's fills its pair.
function nameCall(name: string, a: unknown[], r: unknown, lens: (number | undefined)[]): string {
  if (typeof r === 'object' && r !== null) return `${name}(${a[0]}, ${addressOut(r, undefined, undefined, true)}) = 0`;
  const ok = typeof r === 'number' && r >= 0;
  return `${name}(${a[0]}, ${a[1] === undefined ? `0x..., [${STORAGE}]` : addressOut(a[1], a[2], lens[2], ok)}) = ${result(r)}`;
}

function plain(name: string, a: unknown[], r: unknown): string {
  const arg = (v: unknown) => (ArrayBuffer.isView(v) ? bytes(v, v.byteLength) : typeof v === 'object' && v !== null ? '{...}' : String(v));
  return `${name}(${a.map(arg).join(', ')}) = ${result(r)}`;
}

// The functions that are not system calls (helpers such as CMSG_SPACE,
// htons, strerror) are left alone.
const SKIP = /^(CMSG_|hton|ntoh|inet_|strerror|sockoptTable|gai_strerror|constants|sizeof|if_|loop|signalfd_siginfo)/;

/**
 * Turns the trace on (`true`, or where to send the lines: a stream such as
 * process.stderr, or a function that gets each line) or off (`false`). Each
 * call of this library is printed as strace(1) decodes it, after it
 * returns: `connect(5, {sa_family=AF_INET, sin_port=htons(7000),
 * sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in
 * progress)`. Only this library's calls are printed, none of Node's own.
 * Per thread: a worker traces only if it turns tracing on itself (or
 * POSIX_SOCKETS_TRACE=1 is set for the process). The integrated loop's
 * epoll_wait runs natively and is not printed.
 * @see https://man7.org/linux/man-pages/man1/strace.1.html
 */
export function trace(on: boolean | TraceSink): void {
  for (const [name, fn] of originals) addon[name] = fn;
  originals.clear();
  if (on === false) return;
  const sink: TraceSink = on === true ? process.stderr : on;
  emit = typeof sink === 'function' ? sink : (line) => void sink.write(`${line}\n`);
  for (const [name, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function' || SKIP.test(name)) continue;
    const original = fn as Native;
    const format = FORMATS[name];
    originals.set(name, original);
    addon[name] = function traced(this: unknown, ...args: unknown[]): unknown {
      // Value-result lengths as they went in, before the kernel rewrites them.
      const lens = args.map(lenValue);
      const r = original.apply(this, args);
      emit(format ? format(args, r, lens) : plain(name, args, r));
      return r;
    };
  }
}

if (process.env.POSIX_SOCKETS_TRACE === '1') trace(true);
