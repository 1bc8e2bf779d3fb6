// What the lessons that need two hosts share: two network namespaces joined
// by a veth pair (host a 10.99.0.1, host b 10.99.0.2, on a /24 that exists
// only inside them), sockets made inside either, a drop of packets on a
// host's side of the link, the kernel's table of TCP sockets in a namespace,
// and a teardown that runs on every way out of the lesson.
//
// Why sockets are made by a child process: a socket belongs to the network
// namespace of the process that called socket(2), for all its life, and the
// library has no setns(2). So `socketsIn` runs a small child with
// `ip netns exec <ns>`; the child calls this library's socket() and hands the
// fds back over a UNIX socketpair with SCM_RIGHTS (the fd passing of the
// UNIX lesson), then exits. The lesson then binds, connects, reads TCP_INFO
// and closes them itself, in one process that sees both ends at once.
//
// The drops use what this kernel offers without netfilter: an HTB root qdisc
// on the veth whose one class ends in `pfifo limit 0` (a queue that takes
// nothing, so every packet sent into it is dropped), and a u32 filter that
// sends the matching IP packets there. ARP is not IP and still passes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { endianness } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AF_UNIX, CMSG_SPACE, SOCK_STREAM, close, recvmsg, socketpair } from 'posix-sockets';

const child = fileURLToPath(new URL('netns-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The exit status of a lesson that cannot make namespaces here. */
export const SKIPPED = 77;

/** One end of the link: its namespace, its veth device, its address. */
export interface Host {
  readonly ns: string;
  readonly dev: string;
  readonly address: string;
}

/** The namespace names of the lesson run by process `pid`: unique per run, so runs never collide and a test can remove what a killed run left. */
export function namesOf(pid: number): { a: string; b: string } {
  return { a: `psk${pid}a`, b: `psk${pid}b` };
}

/** Runs `ip ...args` and returns its stdout; throws with its stderr if it fails. */
export function ip(...args: string[]): string {
  return run('ip', args);
}

/** Runs `command` inside namespace `ns` (ip netns exec) and returns its stdout. */
export function inNamespace(ns: string, command: string, ...args: string[]): string {
  return run('ip', ['netns', 'exec', ns, command, ...args]);
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

const children = new Set<ChildProcess>();
let made: string[] = [];

/** Deletes the namespaces of run `pid` that still exist (deleting a namespace deletes the veth end inside it, and so the pair). */
export function removeNamespaces(pid: number): void {
  const { a, b } = namesOf(pid);
  for (const ns of [a, b]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** Kills the children still running and deletes the namespaces: on exit, on a signal, after an exception. */
function teardown(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const ns of made) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  made = [];
}

/** Runs {@link teardown} on every way out: exit (an exception ends in one too), and the signals that end a process by default. */
function onEveryExit(): void {
  process.once('exit', teardown);
  for (const [signal, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.once(signal, () => {
      teardown();
      process.exit(128 + n);
    });
  }
}

/**
 * Makes hosts a and b: two namespaces, loopback up in each, and a veth pair
 * between them. Where that cannot be done (not root, no `ip`, no netns), prints
 * why and exits with {@link SKIPPED}.
 */
export function makeHosts(): { a: Host; b: Host } {
  const names = namesOf(process.pid);
  const a: Host = { ns: names.a, dev: names.a, address: '10.99.0.1' };
  const b: Host = { ns: names.b, dev: names.b, address: '10.99.0.2' };
  onEveryExit();
  try {
    if (process.getuid?.() !== 0) throw new Error(`running as uid ${process.getuid?.()}`);
    addHost(a);
    addHost(b);
    link(a, b);
  } catch (e) {
    teardown();
    console.log(`skipped: needs root and ip netns (${(e as Error).message})`);
    process.exit(SKIPPED);
  }
  return { a, b };
}

function addHost(h: Host): void {
  ip('netns', 'add', h.ns);
  made.push(h.ns);
  ip('-n', h.ns, 'link', 'set', 'lo', 'up');
}

function link(a: Host, b: Host): void {
  ip('link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns);
  for (const h of [a, b]) {
    ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', h.dev);
    ip('-n', h.ns, 'link', 'set', h.dev, 'up');
  }
}

/**
 * Host b crashes and boots again: its namespace is deleted, with every
 * socket and route it had, and made again with the same address and a new
 * veth pair to a. Whatever holds a reference to the old namespace (a socket
 * still open in it) keeps it, and its link, alive: close them first.
 */
export function reboot(a: Host, b: Host): void {
  ip('netns', 'del', b.ns);
  made = made.filter((ns) => ns !== b.ns);
  // The old namespace goes away in a kernel worker, and its veth end with
  // it, which takes a's end along: wait for that before making the new pair.
  for (let i = 0; i < 300 && spawnSync('ip', ['-n', a.ns, 'link', 'show', a.dev], { stdio: 'ignore' }).status === 0; i++) sleep(10);
  addHost(b);
  link(a, b);
}

/** What a drop on a host's side of the link matches: every IP packet, or only the TCP segments with SYN set. */
export type Drop = 'all' | 'syn';

/**
 * Drops the IP packets of kind `what` that host `h` sends on the link (`tc`
 * on its veth); returns the call that lifts the drop, which returns how many
 * packets were dropped meanwhile (the qdisc's own count, `tc -s`).
 */
export function drop(h: Host, what: Drop): () => number {
  const tc = (...args: string[]) => ip('netns', 'exec', h.ns, 'tc', ...args);
  tc('qdisc', 'add', 'dev', h.dev, 'root', 'handle', '1:', 'htb');
  tc('class', 'add', 'dev', h.dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '1mbit');
  tc('qdisc', 'add', 'dev', h.dev, 'parent', '1:1', 'handle', '10:', 'pfifo', 'limit', '0');
  // Offsets into the IP header: byte 9 is the protocol (6, TCP); with no IP
  // options (Linux sends none) the TCP header starts at 20 and its flags are
  // byte 33, SYN the bit 0x02.
  const match = what === 'all' ? ['match', 'u32', '0', '0'] : ['match', 'u8', '6', '0xff', 'at', '9', 'match', 'u8', '0x02', '0x02', 'at', '33'];
  tc('filter', 'add', 'dev', h.dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', ...match, 'flowid', '1:1');
  return () => {
    const dropped = Number(/pfifo 10:[^]*?dropped (\d+)/.exec(tc('-s', 'qdisc', 'show', 'dev', h.dev))?.[1] ?? NaN);
    tc('qdisc', 'del', 'dev', h.dev, 'root');
    return dropped;
  };
}

/**
 * `count` sockets of `type` (AF_INET) made inside host `h`'s namespace by a
 * child process (this library's socket()), passed back with SCM_RIGHTS.
 */
export function socketsIn(h: Host, count: number, type = SOCK_STREAM): number[] {
  const [mine, theirs] = socketpair(AF_UNIX, SOCK_STREAM, 0);
  try {
    // The child gets `theirs` as its fd 3; it exits once it has sent the fds.
    const r = spawnSync('ip', ['netns', 'exec', h.ns, process.execPath, '--import', 'tsx', child, 'sockets', String(count), String(type)], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', theirs],
      timeout: 10_000,
    });
    if (r.status !== 0) throw new Error(`the socket maker in ${h.ns} exited ${r.status ?? r.signal}`);
    const got = recvmsg(mine, [Buffer.alloc(1)], { controlLength: CMSG_SPACE(4 * count) });
    const fds = got.control[0]?.fds ?? [];
    if (fds.length !== count) throw new Error(`the socket maker in ${h.ns} passed ${fds.length} fds, not ${count}`);
    return [...fds];
  } finally {
    close(mine);
    close(theirs);
  }
}

/** Starts `node --import tsx examples/common/netns-child.ts ...args` inside `h`'s namespace; killed at teardown if still running. */
export function spawnIn(h: Host, ...args: string[]): ChildProcess {
  // `ip netns exec` execs the command in its own process (no fork), so the
  // pid is node's own and a kill by pid reaches it.
  const c = spawn('ip', ['netns', 'exec', h.ns, process.execPath, '--import', 'tsx', child, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

/** A line of /proc/net/tcp: the kernel's own table of TCP sockets in one namespace, request and TIME_WAIT sockets included. */
export interface TcpEntry {
  readonly local: string;
  readonly remote: string;
  readonly state: string;
}

// include/net/tcp_states.h; a request socket (TCP_NEW_SYN_RECV inside) is printed as 03.
const STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];

/** The TCP sockets of `h`'s namespace, read from its /proc/net/tcp (by `cat` run inside it: /proc/net is the reader's namespace's). */
export function tcpTable(h: Host): TcpEntry[] {
  const lines = inNamespace(h.ns, 'cat', '/proc/net/tcp').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [, local, remote, st] = line.trim().split(/\s+/);
    return { local: endpoint(local!), remote: endpoint(remote!), state: STATES[parseInt(st!, 16)] ?? st! };
  });
}

/** "0100630A:1F90" -> "10.99.0.1:8080": the address is the in-memory u32, so its bytes are in host order. */
function endpoint(hex: string): string {
  const [addr, port] = hex.split(':');
  const bytes = Buffer.from(addr!, 'hex');
  if (endianness() === 'LE') bytes.reverse();
  return `${[...bytes].join('.')}:${parseInt(port!, 16)}`;
}

/** Blocks for `ms` (the lessons are sequences of system calls; nothing else runs meanwhile). */
export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
