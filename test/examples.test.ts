// The lessons in examples/ run as a user runs them (npx tsx) and do what
// they say.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Starts `npx tsx <script> ...args`, resolving with the child once it prints the port. */
async function startExample(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port printed: ${out}`)), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port: (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { child, port };
}

async function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  const s = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  s.on('data', (d) => chunks.push(d));
  await once(s, 'connect');
  s.end(payload); // write everything, then half-close: the server sees EOF
  await once(s, 'close');
  return Buffer.concat(chunks);
}

describe('examples/echo-server.ts', () => {
  it('echoes every byte to each client in turn, survives a client that resets, then exits after the last', async () => {
    const { child, port } = await startExample('examples/echo-server.ts', ['0', '3']);
    const exited = once(child, 'exit');
    try {
      const big = Buffer.alloc(300_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      expect((await echoOnce(port, big)).equals(big)).toBe(true);
      // A client that sends a lot, reads nothing and resets: the server's
      // write fails (ECONNRESET or EPIPE), and it must go on to the next.
      const rude = net.connect(port, '127.0.0.1');
      await once(rude, 'connect');
      rude.write(big);
      await new Promise((resolve) => setTimeout(resolve, 50));
      rude.resetAndDestroy();
      await once(rude, 'close');
      expect((await echoOnce(port, Buffer.from('third client'))).toString()).toBe('third client');
      expect((await exited)[0]).toBe(0);
    } finally {
      child.kill();
    }
  });
});
