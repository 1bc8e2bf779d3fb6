// ioctl(2) answers that are negative without being errors: the int a
// request writes is the answer, whatever its sign, and only the call's own
// -1 means failure (issue 12, item 5).
import { describe, expect, it } from 'vitest';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EBADF, FIONREAD, ioctl } from '../lib/index.js';

describe('ioctl results that are negative numbers', () => {
  it('FIONREAD on a regular file whose offset is past its end is the negative count, not an errno', () => {
    // The kernel answers i_size - f_pos (fs/ioctl.c): write 100 bytes (the
    // offset moves to 100), then truncate the file to 0.
    const dir = mkdtempSync(path.join(tmpdir(), 'ps-ioctl-'));
    const fd = openSync(path.join(dir, 'f'), 'w+');
    try {
      writeSync(fd, Buffer.alloc(100));
      expect(ioctl(fd, FIONREAD)).toBe(100 - 100);
      ftruncateSync(fd, 0);
      expect(ioctl(fd, FIONREAD)).toBe(-100);
      ftruncateSync(fd, 50);
      expect(ioctl(fd, FIONREAD)).toBe(-50);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });

  it('a failing ioctl still throws its errno', () => {
    expect(() => ioctl(-1, FIONREAD)).toThrow(expect.objectContaining({ errno: EBADF, syscall: 'ioctl' }));
  });
});
