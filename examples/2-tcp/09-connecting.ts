// Lesson: connecting, when it fails and when it takes too long.
//  1. Where nobody listens, the peer's kernel answers the SYN with a RST, and
//     connect fails at once with ECONNREFUSED.
//  2. A non-blocking connect returns -1 with EINPROGRESS (connect here
//     returns -1 rather than throwing, as it does for EAGAIN); the program
//     waits for the socket to become writable with poll, bounded by a
//     timeout, then reads the outcome with getsockopt(SO_ERROR): 0 is
//     connected, anything else is connect's errno.
//  3. The timeout is what saves a client from a peer that does not answer.
//     To make one on loopback, a listener with backlog 0 has its accept
//     queue filled, so the kernel drops the next SYN and that connect stays
//     in SYN_SENT: poll returns 0 when the timeout runs out.
// Run: npx tsx examples/2-tcp/09-connecting.ts
import {
  AF_INET,
  POLLOUT,
  PollFds,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  close,
  connect,
  errnoName,
  flagNames,
  getTcpInfo,
  getsockoptInt,
  poll,
  socket,
  type SockaddrIn,
} from 'posix-sockets';
import { expectFact, finish, listener, outcome } from '../common/lesson.js';

// A port nobody listens on: bound once, then closed.
const gone = listener();
const nobody = gone.addr;
close(gone.fd);

// 1. Blocking connect, refused.
{
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  const t0 = performance.now();
  const result = outcome(() => connect(fd, nobody));
  const ms = performance.now() - t0;
  console.log(`1. connect to 127.0.0.1:${nobody.port}, where nobody listens: threw ${result} after ${ms.toFixed(1)} ms (the RST came back at once)`);
  expectFact(result === 'ECONNREFUSED', 'connect should be refused');
  close(fd);
}

/** A non-blocking connect, waited for with poll for at most `timeoutMs`: what each step returned. */
function connectWithTimeout(addr: SockaddrIn, timeoutMs: number) {
  const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const started = connect(fd, addr); // -1: EINPROGRESS, the handshake goes on without us
  const fds = new PollFds(1);
  fds.set(0, fd, POLLOUT);
  const ready = poll(fds, 1, timeoutMs);
  const revents = flagNames(fds.revents(0), 'POLL') || '0';
  const state = getTcpInfo(fd).state;
  const soError = ready > 0 ? getsockoptInt(fd, SOL_SOCKET, SO_ERROR) : -1;
  close(fd);
  return { started, ready, revents, state, soError, error: soError > 0 ? errnoName(soError) : soError === 0 ? 'connected' : 'timed out' };
}

// 2. Non-blocking, to a listener and to nobody.
{
  const l = listener();
  const ok = connectWithTimeout(l.addr, 1000);
  const refused = connectWithTimeout(nobody, 1000);
  console.log(
    `2. non-blocking connect returned ${ok.started}; to a listener poll returned ${ok.ready} (${ok.revents}) and SO_ERROR ${ok.soError}: ${ok.error}; ` +
      `to nobody poll returned ${refused.ready} (${refused.revents}) and SO_ERROR ${refused.soError}: ${refused.error}`,
  );
  expectFact(ok.started === -1 && ok.soError === 0, 'the connect to a listener should succeed');
  expectFact(refused.ready === 1 && (refused.revents.includes('POLLERR') || refused.revents.includes('POLLHUP')) && refused.error === 'ECONNREFUSED', 'the connect to nobody should end in ECONNREFUSED');
  close(l.fd);
}

// 3. A peer that does not answer: a full accept queue drops the SYN.
{
  const l = listener(0); // backlog 0: the queue holds 1 connection
  const queued = [0, 1].map(() => {
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(fd, l.addr);
    return fd;
  });
  const timeoutMs = 300;
  const t0 = performance.now();
  const slow = connectWithTimeout(l.addr, timeoutMs);
  const ms = performance.now() - t0;
  console.log(
    `3. to a listener whose accept queue is full: poll returned ${slow.ready} after ${ms.toFixed(0)} ms (the ${timeoutMs} ms timeout), the socket still in ${slow.state}: give up, or try another address`,
  );
  expectFact(slow.ready === 0 && slow.state === 'SYN_SENT', 'the connect to a full queue should time out in SYN_SENT');
  queued.forEach((fd) => close(fd));
  close(l.fd);
}
finish('connecting: a refusal is immediate (a RST); silence needs a timeout, which a non-blocking connect and poll give');
