// The echo server of test/native.soak.test.ts, in a child process: the
// addon's sockets and a Poller started in Node's event loop, edge-free
// (level-triggered) with back-pressure: while a connection has unsent
// bytes it is watched for EPOLLOUT only, so a slow reader never makes the
// server buffer more than one read. Prints `port N`, then `stats <rss>
// <fds> <accepted> <closed>` whenever asked on stdin, and exits when stdin
// ends.
'use strict';
const path = require('node:path');
const { readdirSync } = require('node:fs');
const ps = require(path.resolve(__dirname, '..', '..', 'dist', 'index.js'));

const lfd = ps.socket(ps.AF_INET, ps.SOCK_STREAM | ps.SOCK_NONBLOCK | ps.SOCK_CLOEXEC);
ps.setsockopt(lfd, ps.SOL_SOCKET, ps.SO_REUSEADDR, true);
ps.bind(lfd, { family: ps.AF_INET, address: '127.0.0.1', port: 0 });
ps.listen(lfd, 1024);
const poller = new ps.Poller({ maxevents: 256 });
const buf = Buffer.alloc(64 * 1024);
const pending = new Map(); // fd -> the bytes not yet written back
let accepted = 0;
let closed = 0;

function drop(fd) {
  poller.remove(fd);
  ps.close(fd);
  pending.delete(fd);
  closed++;
}

function onConnection(fd, events) {
  try {
    let rest = pending.get(fd);
    if (rest) {
      const n = ps.write(fd, rest);
      if (n < 0) return;
      if (n < rest.length) {
        pending.set(fd, rest.subarray(n));
        return;
      }
      pending.delete(fd);
      poller.modify(fd, ps.EPOLLIN | ps.EPOLLRDHUP);
      return;
    }
    if ((events & (ps.EPOLLIN | ps.EPOLLHUP | ps.EPOLLERR | ps.EPOLLRDHUP)) === 0) return;
    const n = ps.read(fd, buf);
    if (n === -1) return;
    if (n === 0) return drop(fd);
    const w = ps.write(fd, buf, n);
    const done = w < 0 ? 0 : w;
    if (done < n) {
      pending.set(fd, Buffer.from(buf.subarray(done, n)));
      poller.modify(fd, ps.EPOLLOUT);
    }
  } catch (e) {
    if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') throw e;
    drop(fd);
  }
}

poller.add(lfd, ps.EPOLLIN, () => {
  for (;;) {
    const fd = ps.accept4(lfd, null, null, ps.SOCK_NONBLOCK | ps.SOCK_CLOEXEC);
    if (fd < 0) return;
    accepted++;
    poller.add(fd, ps.EPOLLIN | ps.EPOLLRDHUP, onConnection);
  }
});
poller.start();

process.stdout.write(`port ${ps.getsockname(lfd).port}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', () => {
  const fds = readdirSync('/proc/self/fd').length;
  process.stdout.write(`stats ${process.memoryUsage().rss} ${fds} ${accepted} ${closed}\n`);
});
process.stdin.on('end', () => {
  poller.close();
  ps.close(lfd);
});
