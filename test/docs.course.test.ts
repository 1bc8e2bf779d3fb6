// docs/course.md walks every lesson in examples/, in numbered order, and
// links only files that exist; README's Lessons table links only those too.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const course = read('docs/course.md');

/** Every lesson source under examples/ (the shared helpers of examples/common/ are not lessons). */
function lessonFiles(): string[] {
  return (readdirSync(new URL('examples/', root), { recursive: true }) as string[])
    .filter((f) => /\.(ts|c)$/.test(f) && !f.startsWith('common/'))
    .map((f) => `examples/${f}`)
    .sort();
}

describe('docs/course.md', () => {
  const linked = [...course.matchAll(/\]\(\.\.\/(examples\/[^)#]+)\)/g)].map((m) => m[1]!);

  it('links every lesson in examples/', () => {
    const missing = lessonFiles().filter((f) => !linked.includes(f));
    expect(missing).toEqual([]);
  });

  it('links only files that exist', () => {
    expect(linked.filter((f) => !existsSync(new URL(f, root)))).toEqual([]);
  });

  it('numbers its lessons 1, 2, 3 ... in order', () => {
    const numbers = [...course.matchAll(/^### (\d+)\. /gm)].map((m) => Number(m[1]));
    expect(numbers.length).toBeGreaterThan(20);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('every lesson imports the package as a reader’s program would, never the repository’s lib/', () => {
    const ts = lessonFiles().filter((f) => f.endsWith('.ts'));
    const wrong = ts.filter((f) => {
      const text = read(f);
      return !text.includes("from 'posix-sockets'") || /from '(\.\.\/)+lib\//.test(text);
    });
    expect(ts.length).toBeGreaterThan(20);
    expect(wrong).toEqual([]);
  });

  it('README’s Lessons table links only files that exist, and the course', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Lessons'), readme.indexOf('## Where each part lives'));
    expect(section).toContain('(docs/course.md)');
    const links = [...section.matchAll(/\]\((examples\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((f) => !existsSync(new URL(f, root)))).toEqual([]);
  });
});
