// fcntl(2) answers that are negative without being errors: F_GETOWN reports
// a process group as its negated id (issue 12, item 5). Only fcntl's -1
// with errno set means failure.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AF_INET, EBADF, F_GETOWN, F_SETOWN, SOCK_STREAM, close, fcntl, socket } from '../lib/index.js';

/** This process's group id: field 5 of /proc/self/stat (after the parenthesised name). */
function processGroup(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('fcntl results that are negative numbers', () => {
  it('F_GETOWN reads a process group owner as its negated id', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      const pgrp = processGroup();
      expect(pgrp).toBeGreaterThan(0);
      expect(fcntl(fd, F_GETOWN)).toBe(0);
      fcntl(fd, F_SETOWN, -pgrp);
      expect(fcntl(fd, F_GETOWN)).toBe(-pgrp);
      fcntl(fd, F_SETOWN, process.pid);
      expect(fcntl(fd, F_GETOWN)).toBe(process.pid);
    } finally {
      close(fd);
    }
  });

  it('a failing fcntl still throws its errno', () => {
    expect(() => fcntl(-1, F_GETOWN)).toThrow(expect.objectContaining({ errno: EBADF, syscall: 'fcntl' }));
  });
});
