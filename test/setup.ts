// Runs around every test: fails a test that leaves an fd open, and closes it
// so one leak does not cascade into the next test.
import { afterEach, beforeEach, expect } from 'vitest';
import { closeSync } from 'node:fs';
import { fdsOpenedSince, openFds } from './helpers.js';

let before = new Map<number, string>();

beforeEach(() => {
  before = openFds();
});

afterEach(async () => {
  // Workers and sockets closed by a test may release their fds on the next
  // turn of the event loop; give them a few turns before calling it a leak.
  let leaked = fdsOpenedSince(before);
  for (let i = 0; i < 20 && leaked.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    leaked = fdsOpenedSince(before);
  }
  for (const [fd] of leaked) {
    try {
      closeSync(fd);
    } catch {
      // gone meanwhile
    }
  }
  expect(leaked, 'fds left open by this test').toEqual([]);
});
