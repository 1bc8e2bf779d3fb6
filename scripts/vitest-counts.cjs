// Prints a vitest JSON report's counts as "N passed, N failed, N skipped":
// the closing line of .ci/run and the per-Node-version lines before it.
'use strict';
const r = require(require('node:path').resolve(process.argv[2]));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
