// Echo clients for the lessons that compare servers: N clients on node:net in
// a worker thread, so that a server may block the lesson's own thread. Each
// client sends its next message when the whole echo of the last is back, at
// its own pace. Each message names its client and number, so a lost, mixed or
// altered echo shows; one counter over all clients' echoes shows who waited
// for whom. Bounded: after `giveUpMs` every socket is destroyed, which ends
// any server's loop (it reads EOF or a reset), and the results say so.
import { Worker } from 'node:worker_threads';

export interface ClientResult {
  /** Echoes that came back byte for byte as sent. */
  intact: number;
  /** Position of this client's first and last echo among all clients' echoes. */
  firstEcho: number;
  lastEcho: number;
  /** An error code, 'gave up', or ''. */
  error: string;
}

const CLIENT_CODE = `
const { workerData: w, parentPort } = require('node:worker_threads');
const net = require('node:net');
const message = (c, i) => Buffer.from(\`client \${c} message \${i} \`.padEnd(w.size, '.'));
let echoes = 0, ended = 0;
const results = [], sockets = [];
for (let c = 0; c < w.clients; c++) {
  const r = { intact: 0, firstEcho: -1, lastEcho: -1, error: '' };
  results.push(r);
  const s = net.connect(w.port, '127.0.0.1', () => s.write(message(c, 0)));
  sockets.push(s);
  s.setNoDelay(true);
  let got = Buffer.alloc(0), n = 0;
  s.on('data', (d) => {
    got = Buffer.concat([got, d]);
    for (; got.length >= w.size; got = got.subarray(w.size)) {
      if (got.subarray(0, w.size).equals(message(c, n))) r.intact++;
      if (r.firstEcho < 0) r.firstEcho = echoes;
      r.lastEcho = echoes++;
      if (++n < w.messages) s.write(message(c, n));
      else s.end();
    }
  });
  s.on('error', (e) => (r.error = e.code || String(e)));
  s.on('close', () => { if (++ended === w.clients) { clearTimeout(timer); parentPort.postMessage(results); } });
}
const timer = setTimeout(() => { for (const r of results) r.error ||= 'gave up'; sockets.forEach((s) => s.destroy()); }, w.giveUpMs);
`;

/**
 * Starts `clients` ping-pong clients of `messages` messages of `size` bytes
 * against 127.0.0.1:`port`; resolves with each client's result once all have
 * closed (the worker is gone by then).
 */
export function pingPongClients(port: number, clients: number, messages: number, size: number, giveUpMs: number): Promise<ClientResult[]> {
  const worker = new Worker(CLIENT_CODE, { eval: true, workerData: { port, clients, messages, size, giveUpMs } });
  return new Promise((resolve, reject) => {
    worker.once('message', (r: ClientResult[]) => void worker.terminate().then(() => resolve(r)));
    worker.once('error', reject);
  });
}
