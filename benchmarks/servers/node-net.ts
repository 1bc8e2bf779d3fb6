// Echo server on Node's own `net` module (libuv), written the way Node code
// is written: the baseline the addon is compared with.
//
//   node --import tsx benchmarks/servers/node-net.ts <data|onread> <port> [--buf N] [--nodelay] [--watch-stdin]
//
// data:   socket.on('data', (chunk) => socket.write(chunk)): a new Buffer per
//         read, libuv's write queue for back-pressure.
// onread: the `onread` option: libuv reads into one reused buffer of --buf
//         bytes.
import * as net from 'node:net';
import { parseServerArgs } from './args.js';

const args = parseServerArgs(process.argv.slice(2), ['data', 'onread']);
if (args.sndbuf > 0) process.stderr.write('note: node:net has no SO_SNDBUF option: --sndbuf ignored\n');

function onData(socket: net.Socket): void {
  if (args.nodelay) socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => socket.write(chunk));
  socket.on('error', () => socket.destroy());
}

// `onread` is an option of new net.Socket(), not of net.createServer(): the
// onread server accepts with pauseOnConnect (so libuv never reads into a
// Buffer of its own) and hands the accepted handle to a Socket made with the
// reused buffer. Since the next read overwrites that buffer, a write that
// could not finish at once pauses reading until it is flushed (without that
// the echo would be corrupted, and the load generator would say so).
function onReadBuffer(accepted: net.Socket): void {
  const owner = accepted as unknown as { _handle: unknown };
  let paused = false;
  const resume = (): void => {
    if (paused) {
      paused = false;
      socket.resume();
    }
  };
  const socket: net.Socket = new net.Socket({
    handle: owner._handle,
    readable: true,
    writable: true,
    onread: {
      buffer: Buffer.allocUnsafe(args.buf),
      callback: (n: number, buf: Uint8Array): boolean => {
        socket.write(buf.subarray(0, n), resume);
        if (socket.writableLength > 0) {
          paused = true;
          socket.pause();
        }
        return true;
      },
    },
  } as net.SocketConstructorOpts);
  owner._handle = null; // the new socket owns it now
  if (args.nodelay) socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.resume();
}

const server =
  args.mode === 'data' ? net.createServer(onData) : net.createServer({ pauseOnConnect: true }, onReadBuffer);

server.listen(args.port, '127.0.0.1', () => {
  const addr = server.address() as net.AddressInfo;
  process.stdout.write(`ready ${addr.port}\n`);
});

if (args.watchStdin) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
