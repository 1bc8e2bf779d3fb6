// The fd-leak check that runs around every test (setup.ts) must itself be
// able to fail: run a deliberately leaky test file under it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('fails a test that leaves a socket open, and only that test', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/leak/vitest.config.mts'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' }, timeout: 60_000 },
  );
  const out = r.stdout + r.stderr;
  expect(r.status).not.toBe(0);
  expect(out).toContain('fds left open by this test');
  expect(out).toMatch(/socket:\[\d+\]/);
  expect(out).toMatch(/1 failed \| 1 passed/);
});
