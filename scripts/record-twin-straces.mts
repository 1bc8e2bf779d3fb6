// Records what strace shows of each C twin of the course (hello, echo,
// udp-echo, unix-stream; server and client), normalized as
// test/twin-traces.ts does, into test/fixtures/twins/. The trace test holds
// the TypeScript twins' trace to these recordings on any machine, and checks
// them against a fresh strace where strace is installed.
// Usage: npx tsx scripts/record-twin-straces.mts   (needs cc and strace)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopExamples } from '../test/run-example.js';
import { TWINS, compileTwins, fixture, hasStrace, normalizeCalls, runTwin } from '../test/twin-traces.js';

if (!hasStrace) {
  console.error('record-twin-straces: strace is not installed (apt-get install strace)');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'ps-twins-'));
try {
  compileTwins(dir);
  for (const twin of TWINS) {
    const raw = await runTwin(twin, 'c', (name) => join(dir, name));
    for (const role of ['server', 'client'] as const) {
      const file = fileURLToPath(fixture(twin.lesson, role));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${normalizeCalls(raw[role]).join('\n')}\n`);
      console.log(`${file}: ${normalizeCalls(raw[role]).length} calls`);
    }
  }
} finally {
  await stopExamples();
  rmSync(dir, { recursive: true, force: true });
}
