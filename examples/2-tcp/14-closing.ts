// Lesson: the ways a TCP connection ends, and what the peer sees of each.
//  1. Graceful: shutdown(SHUT_WR) sends a FIN. The peer's read returns 0
//     (end of stream), and it can still write back; TCP_INFO shows the states
//     (FIN_WAIT2 on our side, CLOSE_WAIT on the peer's).
//  2. Abortive: SO_LINGER {onoff: true, linger: 0}, then close, sends a RST
//     instead of a FIN (and throws away what our send queue still held):
//     the peer reads what had already arrived, then ECONNRESET.
//  3. Closing with unread data in the receive queue also sends a RST, even
//     without SO_LINGER (RFC 2525): the peer's read fails with ECONNRESET.
//  4. close() ends the connection only when the last fd for it closes; a
//     dup'd fd (fcntl F_DUPFD) keeps it open. shutdown() acts on the
//     connection itself, whatever fds there are.
//  5. Writing after the peer has closed: the first write succeeds (the
//     bytes reach the peer's kernel, which answers with a RST); the next
//     fails with EPIPE (send adds MSG_NOSIGNAL, and Node ignores SIGPIPE).
//     Which error a RST leaves depends on the state it finds: ECONNRESET on
//     an open connection (2, 3), EPIPE after the peer's FIN (CLOSE_WAIT),
//     where a read still returns 0 for the FIN.
// Run: npx tsx examples/2-tcp/14-closing.ts
import { F_DUPFD, MSG_DONTWAIT, SHUT_WR, SOL_SOCKET, SO_LINGER, close, fcntl, getTcpInfo, recv, send, setsockopt, shutdown } from 'posix-sockets';
import { expectFact, finish, outcome, tcpPair } from '../common/lesson.js';

const buf = Buffer.alloc(1024);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const text = (fd: number) => {
  const n = recv(fd, buf);
  return n > 0 ? `"${buf.toString('utf8', 0, n)}"` : String(n);
};

// 1. Graceful.
{
  const { client, server } = tcpPair();
  send(client, Buffer.from('request'));
  shutdown(client, SHUT_WR); // FIN: "I have no more to send"
  const request = text(server);
  const eof = recv(server, buf);
  // FIN_WAIT1 until the peer's kernel acknowledges our FIN, then FIN_WAIT2.
  for (let i = 0; i < 50 && getTcpInfo(client).state === 'FIN_WAIT1'; i++) sleep(10);
  const states = `${getTcpInfo(client).state}/${getTcpInfo(server).state}`;
  send(server, Buffer.from('reply after your FIN'));
  const reply = text(client);
  close(server);
  const end = recv(client, buf);
  console.log(
    `1. graceful: the peer read ${request}, then read returned ${eof} (the FIN); states ${states}; it still replied, and we read ${reply}, then ${end} when it closed`,
  );
  expectFact(eof === 0 && end === 0 && states === 'FIN_WAIT2/CLOSE_WAIT' && reply === '"reply after your FIN"', 'a FIN should read as 0 and leave the other direction open');
  close(client);
}

// 2. Abortive.
{
  const { client, server } = tcpPair();
  send(client, Buffer.from('never read'));
  setsockopt(client, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 });
  close(client); // RST
  sleep(10);
  const delivered = outcome(() => recv(server, buf));
  const seen = outcome(() => recv(server, buf));
  console.log(
    `2. abortive: SO_LINGER {onoff: true, linger: 0} then close: the peer's first read ${delivered} (the bytes that had already arrived), the next threw ${seen} where a FIN would have read 0`,
  );
  expectFact(delivered === 'returned 10' && seen === 'ECONNRESET', 'SO_LINGER 0 should reset the connection');
  close(server);
}

// 3. Close with unread data.
{
  const { client, server } = tcpPair();
  const unread = send(client, Buffer.from('a request the server never reads'));
  sleep(10);
  close(server); // data in its receive queue: RST, not FIN
  sleep(10);
  const seen = outcome(() => recv(client, buf));
  console.log(`3. the server closed with ${unread} bytes unread: the client's read threw ${seen}, not 0 (a RST, not a FIN)`);
  expectFact(seen === 'ECONNRESET', 'close with unread data should send a RST');
  close(client);
}

// 4. close vs shutdown with a dup'd fd.
{
  const { client, server } = tcpPair();
  const dup = fcntl(client, F_DUPFD, 0);
  close(client); // one of two fds: the connection stays
  sleep(10);
  const afterClose = recv(server, buf, buf.length, MSG_DONTWAIT);
  shutdown(dup, SHUT_WR); // the connection itself: FIN now
  sleep(10);
  const afterShutdown = recv(server, buf, buf.length, MSG_DONTWAIT);
  console.log(
    `4. fd ${client} and its dup ${dup}: after close(${client}) the peer's read returned ${afterClose} (nothing, no FIN: fd ${dup} still holds the connection); after shutdown(${dup}, SHUT_WR) it returned ${afterShutdown} (the FIN)`,
  );
  expectFact(afterClose === -1 && afterShutdown === 0, 'close should wait for the last fd, shutdown not');
  close(dup);
  close(server);
}

// 5. Write after the peer closed.
{
  const { client, server } = tcpPair();
  close(server); // FIN
  sleep(10);
  const first = outcome(() => send(client, Buffer.from('first')));
  sleep(10); // the peer's RST arrives
  const second = outcome(() => send(client, Buffer.from('second')));
  const read = outcome(() => recv(client, buf));
  console.log(
    `5. the peer closed: our first send ${first} (the peer's kernel answers it with a RST), the second threw ${second}, and a read ${read} (the FIN came first)`,
  );
  expectFact(first === 'returned 5' && second === 'EPIPE' && read === 'returned 0', 'a write after the peer closed should succeed once, then fail with EPIPE');
  close(client);
}

finish('closing: a FIN says "no more from me" and reads as 0; a RST says "this connection is gone" and reads as ECONNRESET');
