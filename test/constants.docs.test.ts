// Every constant the docs name is defined on Linux (issue 12, item 7:
// F_DUPFD and F_DUPFD_CLOEXEC were documented for fcntl but read
// undefined). The docs are README.md and docs/*.md. A name counts when it
// is spelled as C spells constants with one of the prefixes this library's
// constants use (F_DUPFD, SO_REUSEADDR), anywhere in the text; errno names
// and poll bits (EINVAL, POLLIN, EPOLLET), whose shape English words share
// (EOF, ET, ESM), count inside backticks only.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../lib/index.js';

const root = path.join(__dirname, '..');
const DOCS = ['README.md', ...readdirSync(path.join(root, 'docs')).map((f) => path.join('docs', f))];

const PREFIXED =
  /^(?:AF|PF|SO|SOL|SOCK|TCP|UDP|MSG|F|FD|O|IP|IPV6|IPPROTO|SHUT|EFD|TFD|SFD|SIG|SCM|AI|NI|EAI|SIOC|INADDR|IN6ADDR|CLOCK|SA|UIO|SEEK)_[A-Z0-9_]+$/;
const UNPREFIXED = /^(?:E[A-Z0-9]+|E?POLL[A-Z0-9]+|SOMAXCONN|FIO[A-Z]+|SIOC[A-Z]+|IFNAMSIZ|IOV_MAX)$/;

// Names with a constant's shape that are not constants of this library.
const NOT_CONSTANTS = new Map<string, string>([
  // Node's own error codes, which the argument checks put in `code`: strings.
  ['ERR_INVALID_ARG_TYPE', 'a Node error code (err.code), a string'],
  ['ERR_INVALID_ARG_VALUE', 'a Node error code (err.code), a string'],
  ['ERR_OUT_OF_RANGE', 'a Node error code (err.code), a string'],
  // In the README's C snippet `signal(SIGPIPE, SIG_IGN)`: a handler
  // pointer, ((void (*)(int)) 1), not an int; Node owns signal dispositions.
  ['SIG_IGN', "a signal handler pointer in a C snippet, not an int"],
  // The SIGPIPE section of docs/sockets.md names the default disposition
  // the same way: a handler pointer ((void (*)(int)) 0), not an int.
  ['SIG_DFL', 'a signal disposition (a handler pointer), not an int'],
  // docs/messages.md explains IOV_MAX (exported) by the kernel's own name
  // for the same limit, which userspace code never uses.
  ['UIO_MAXIOV', "the kernel's name for IOV_MAX, which is the exported one"],
  ['EOF', 'end of file, as the lessons print a read of 0; not a constant of C'],
  // The course quotes the lessons' output, where a TCP state is printed as
  // TcpInfo.state names it (the kernel's TCP_ESTABLISHED without the prefix).
  ['ESTABLISHED', "a TCP state as getTcpInfo's state string names it"],
  // A bare prefix in prose ("EPOLL flags", "EAI codes"), not a name.
  ['EPOLL', 'a bare prefix in prose'],
  ['EAI', 'a bare prefix in prose'],
]);

/** Each doc's text, and its backticked spans. */
function docs(): Array<{ file: string; text: string; spans: string[] }> {
  return DOCS.map((file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    return { file, text, spans: [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!) };
  });
}

/**
 * The constant names in a piece of text. Skipped: a name followed by `*`
 * (`AF_*`: a family of names, not one), anything inside quotes
 * (`'ESTABLISHED'`, `constantName(2, 'AF_')`: strings, not identifiers)
 * and link targets.
 */
function namesIn(text: string, code: boolean): string[] {
  const plain = text.replace(/'[^'\n]*'|"[^"\n]*"/g, '').replace(/\]\([^)]*\)|https?:\S+/g, '');
  return [...plain.matchAll(/\b[A-Z][A-Z0-9_]+\b(?!\*)/g)]
    .map((m) => m[0])
    .filter((n) => PREFIXED.test(n) || (code && UNPREFIXED.test(n)));
}

describe('constants named in the docs', () => {
  it('each one is exported and is a number (or, for a C macro, the function that stands for it)', () => {
    const exported = api as unknown as Record<string, unknown>;
    const missing: string[] = [];
    let checked = 0;
    for (const { file, text, spans } of docs()) {
      const names = new Set([...namesIn(text, false), ...spans.flatMap((span) => namesIn(span, true))]);
      for (const name of names) {
        if (NOT_CONSTANTS.has(name)) continue;
        checked++;
        const v = exported[name];
        // FD_ZERO, FD_SET, FD_CLR, FD_ISSET are macros in C and functions here.
        const ok = typeof v === 'number' || (typeof v === 'function' && /^FD_[A-Z]+$/.test(name));
        if (!ok) missing.push(`${name} (${file})`);
      }
    }
    expect(missing).toEqual([]);
    // The scan finds the docs' constants at all (a pattern that matched
    // nothing would pass vacuously).
    expect(checked).toBeGreaterThan(150);
  });

  it('the scan sees what it must (F_DUPFD in the fcntl docs) and skips wildcards, strings and English', () => {
    expect(docs().some(({ text }) => namesIn(text, false).includes('F_DUPFD_CLOEXEC'))).toBe(true);
    expect(namesIn('`PF_*` and `AF_*`', true)).toEqual([]);
    expect(namesIn("constantName(2, 'AF_') and flagNames(EPOLLIN | EPOLLRDHUP, 'EPOLL')", true)).toEqual(['EPOLLIN', 'EPOLLRDHUP']);
    expect(namesIn('F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC. EOF in ET mode', false)).toEqual(['F_SETFD', 'F_DUPFD', 'F_DUPFD_CLOEXEC']);
  });

  it('each name allowed as not a constant is indeed not one', () => {
    const exported = api as unknown as Record<string, unknown>;
    for (const name of NOT_CONSTANTS.keys()) expect(typeof exported[name], name).not.toBe('number');
  });
});
