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

  it('names each lesson’s files after its number: lesson N is examples/<part>/NN-...', () => {
    const sections = course.split(/^### /m).slice(1);
    const mismatched: string[] = [];
    let checked = 0;
    for (const section of sections) {
      const number = Number(/^(\d+)\. /.exec(section)![1]);
      const files = [...section.matchAll(/\]\(\.\.\/examples\/([^)#]+)\)/g)].map((m) => m[1]!);
      const prefix = `${String(number).padStart(2, '0')}-`;
      // The lesson's own files; a section may also link others' (its twin, lesson 2's client) further down.
      const own = files.filter((f) => f.split('/')[1]?.startsWith(prefix));
      if (files.length === 0) continue; // a page of theory
      checked++;
      if (own.length === 0 || !files[0]!.split('/')[1]!.startsWith(prefix)) mismatched.push(`${number}: ${files[0]}`);
    }
    expect(checked).toBeGreaterThan(30);
    expect(mismatched).toEqual([]);
  });

  it('README’s Lessons table links only files that exist, and the course', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Lessons'), readme.indexOf('## Where each part lives'));
    expect(section).toContain('(docs/course.md)');
    const links = [...section.matchAll(/\]\((examples\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((f) => !existsSync(new URL(f, root)))).toEqual([]);
    // One row per lesson of the course, with its number and title.
    const rows = [...section.matchAll(/^\| (\d+) \| \[([^\]]+)\]/gm)].map((m) => `${m[1]}. ${m[2]}`);
    const headings = [...course.matchAll(/^### (\d+\. .*)$/gm)].map((m) => m[1]!);
    expect(rows).toEqual(headings);
  });
});
