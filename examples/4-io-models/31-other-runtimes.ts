// Lesson: a socket is the kernel's, not the language's. One server made
// with this library (non-blocking, on a Poller inside Node's event loop) is
// driven by three clients from elsewhere:
//  1. Python's socket module, in a child process: the same calls again
//     (socket, connect, sendall, recv), from another runtime;
//  2. Node's own `net`, in this process, beside the server;
//  3. a `net.Socket` built from an fd this library opened and connected:
//     libuv takes the fd over (and closes it when the socket is destroyed).
// Each sends a line and prints the server's answer.
// Run: npx tsx examples/4-io-models/31-other-runtimes.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { AF_INET, EPOLLIN, Poller, SOCK_NONBLOCK, SOCK_STREAM, accept4, close, connect, read, setNonBlocking, socket, write } from 'posix-sockets';
import { expectFact, finish, listener } from '../common/lesson.js';

const watchdog = setTimeout(() => {
  console.log('not observed: the three clients did not finish in 10 s');
  process.exit(1);
}, 10_000);

// The server: every line it reads is answered with its length and text.
const l = listener();
setNonBlocking(l.fd, true);
const poller = new Poller();
const buf = Buffer.alloc(1024);
poller.add(l.fd, EPOLLIN, () => {
  for (let c; (c = accept4(l.fd, null, null, SOCK_NONBLOCK)) !== -1; ) {
    poller.add(c, EPOLLIN, (fd) => {
      const n = read(fd, buf);
      if (n > 0) write(fd, Buffer.from(`server: you sent ${n} bytes: ${buf.toString('utf8', 0, n)}`));
      else if (n === 0) {
        poller.remove(fd); // the client closed
        close(fd);
      }
    });
  }
});
poller.start();
const port = l.addr.port;

// 1. Python.
async function python(): Promise<string> {
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
    "s.connect(('127.0.0.1', int(sys.argv[1])))",
    "s.sendall(b'hello from python')",
    'print(s.recv(1024).decode())',
    's.close()',
  ].join('\n');
  const child = spawn('python3', ['-c', script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const [code] = (await once(child, 'close')) as [number];
  return code === 0 ? out.trim() : `python3 exited ${code}`;
}

/** Sends `line` on a net.Socket and resolves with the first answer. */
async function ask(s: net.Socket, line: string): Promise<string> {
  s.write(line);
  const [data] = (await once(s, 'data')) as [Buffer];
  s.destroy();
  await once(s, 'close');
  return data.toString();
}

// 2. Node's net.
async function nodeNet(): Promise<string> {
  const s = net.connect(port, '127.0.0.1');
  await once(s, 'connect');
  return ask(s, 'hello from net');
}

// 3. A net.Socket over this library's fd.
async function adopted(): Promise<{ answer: string; fd: number }> {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  connect(fd, l.addr); // blocking, but the kernel completes it without the server's help
  const s = new net.Socket({ fd, readable: true, writable: true });
  return { answer: await ask(s, `hello from a net.Socket on fd ${fd}`), fd };
}

async function main(): Promise<void> {
  const fromPython = await python();
  const fromNet = await nodeNet();
  const { answer: fromFd, fd } = await adopted();
  console.log(`1. python3's socket module got: "${fromPython}"`);
  console.log(`2. node:net got: "${fromNet}"`);
  console.log(`3. a net.Socket over fd ${fd} (from socket() and connect()) got: "${fromFd}"`);
  expectFact(fromPython === 'server: you sent 17 bytes: hello from python', 'python should get its answer');
  expectFact(fromNet === 'server: you sent 14 bytes: hello from net', 'net should get its answer');
  expectFact(fromFd === `server: you sent ${`hello from a net.Socket on fd ${fd}`.length} bytes: hello from a net.Socket on fd ${fd}`, 'the adopted fd should get its answer');

  // Let the server see each client's EOF, then stop.
  await new Promise((resolve) => setTimeout(resolve, 50));
  poller.close();
  close(l.fd);
  clearTimeout(watchdog);
  finish(`other runtimes: Python, net and an adopted fd all spoke to one server on port ${port}; the kernel does not know which language made a socket`);
}
void main();
