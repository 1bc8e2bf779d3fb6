// Prints a vitest JSON report's counts as "N passed, N failed, N skipped":
// the closing line of .ci/run and the per-Node-version lines before it. A
// failed test is named after the counts, with the first line of its error, so
// the last lines of a CI log say what failed even when the log is cut.
'use strict';
const path = require('node:path');
const r = require(path.resolve(process.argv[2]));
const firstLine = (message) => String(message ?? '').split('\n')[0].slice(0, 200);
const failures = [];
for (const file of r.testResults ?? []) {
  const name = path.relative(process.cwd(), file.name);
  const tests = file.assertionResults ?? [];
  for (const test of tests) if (test.status === 'failed') failures.push(`${name} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
  // A file that failed to load has no tests; its message says why.
  if (file.status === 'failed' && tests.length === 0) failures.push(`${name}: ${firstLine(file.message)}`);
}
const counts = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
console.log(failures.length ? `${counts} [failed: ${failures.join(' | ')}]` : counts);
