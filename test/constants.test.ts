// Constants come from the system headers through the addon; the TypeScript
// names, the generator's list and the build must agree.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as api from '../lib/index.js';
import { nativeModule } from '../lib/native.js';

const native = nativeModule<{ constants: Record<string, number> }>();

const names: string[] = JSON.parse(readFileSync(new URL('./constant-names.json', import.meta.url), 'utf8'));
const literals: Record<string, number> = JSON.parse(
  readFileSync(new URL('./constant-literals.json', import.meta.url), 'utf8'),
);

describe('constants', () => {
  it("every listed name is defined by this machine's headers and exported with the native value", () => {
    const exported = api as unknown as Record<string, unknown>;
    const missing = names.filter((n) => typeof native.constants[n] !== 'number');
    expect(missing).toEqual([]);
    for (const n of names) expect(exported[n], n).toBe(native.constants[n]);
  });

  it('the native side exports exactly the listed names', () => {
    expect(Object.keys(native.constants).sort()).toEqual([...names].sort());
  });

  it('the literal types given to address families match the headers', () => {
    for (const [n, v] of Object.entries(literals)) expect(native.constants[n], n).toBe(v);
  });

  it('agree with the values Node itself was built with', () => {
    expect(api.EADDRINUSE).toBe(osConstants.errno.EADDRINUSE);
    expect(api.EAGAIN).toBe(osConstants.errno.EAGAIN);
    expect(api.EWOULDBLOCK).toBe(api.EAGAIN);
    expect(api.O_NONBLOCK).toBe(fsConstants.O_NONBLOCK);
  });

  it('keeps unsigned flag values unsigned, as C compares them', () => {
    expect(api.EPOLLET).toBe(2 ** 31);
    expect(api.INADDR_NONE).toBe(0xffffffff);
    expect(api.SOCK_NONBLOCK).toBe(api.O_NONBLOCK);
  });
});

describe('sizeof', () => {
  const cc = spawnSync('cc', ['--version']).status === 0;
  it.skipIf(!cc)("holds what the machine's C compiler says of each struct", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-sizeof-'));
    try {
      const names = Object.keys(api.sizeof);
      expect(names).toEqual(expect.arrayContaining(['sockaddr_in', 'sockaddr_storage', 'timeval', 'linger', 'ucred']));
      const type = (name: string) => (name === 'int' ? 'int' : `struct ${name}`);
      const program = [
        '#define _GNU_SOURCE',
        '#include <stdio.h>',
        '#include <linux/if_packet.h>',
        '#include <netinet/in.h>',
        '#include <sys/socket.h>',
        '#include <sys/time.h>',
        '#include <sys/uio.h>',
        '#include <sys/un.h>',
        'int main(void) {',
        ...names.map((name) => `  printf("${name} %zu\\n", sizeof(${type(name)}));`),
        '  return 0;',
        '}',
      ].join('\n');
      writeFileSync(join(dir, 'sizeof.c'), program);
      execFileSync('cc', ['-o', join(dir, 'sizeof'), join(dir, 'sizeof.c')]);
      const measured = Object.fromEntries(
        execFileSync(join(dir, 'sizeof'), { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map((line) => [line.split(' ')[0]!, Number(line.split(' ')[1])]),
      );
      expect({ ...api.sizeof }).toEqual(measured);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
