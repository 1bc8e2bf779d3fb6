// What the lessons of the course share: a connected pair on loopback
// (socket, bind, listen, connect, accept: the hello lesson's calls), and a
// tally of what each lesson expected to observe, so it exits 1 and says why
// when the kernel showed something else.
import { AF_INET, SOCK_STREAM, accept, bind, close, connect, getsockname, listen, socket, type SockaddrIn } from 'posix-sockets';

export const loopback: SockaddrIn = { family: AF_INET, address: '127.0.0.1', port: 0 };

/** A listening TCP socket on 127.0.0.1 and a kernel-picked port, and its address. */
export function listener(backlog = 16): { fd: number; addr: SockaddrIn } {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(fd, loopback);
  listen(fd, backlog);
  return { fd, addr: getsockname(fd) as SockaddrIn };
}

/**
 * A connected TCP pair: `client` (connected) and `server` (accepted).
 * `before` runs on the client socket before connect, for the options that
 * must be set then (SO_SNDBUF, SO_RCVBUF).
 */
export function tcpPair(before?: (fd: number) => void): { client: number; server: number } {
  const l = listener();
  const client = socket(AF_INET, SOCK_STREAM, 0);
  before?.(client);
  connect(client, l.addr); // completes in the kernel before accept: the handshake lesson
  const server = accept(l.fd);
  close(l.fd);
  return { client, server };
}

/** The code of what `f` threw (a SocketError's EPIPE, ECONNRESET ...), or "returned N". */
export function outcome(f: () => number): string {
  try {
    return `returned ${f()}`;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

const failures: string[] = [];

/** Notes `why` as not observed unless `ok`. */
export function expectFact(ok: boolean, why: string): void {
  if (!ok) failures.push(why);
}

/** Prints `summary` and exits 0 if every fact was observed; else prints which were not and exits 1. */
export function finish(summary: string): void {
  if (failures.length > 0) {
    console.log(`not observed: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log(summary);
}
