// Loads the compiled addon in a worker thread without the TypeScript layer
// (workers do not run tsx), through the package's own loader, so a worker
// gets the very build lib/native.ts loads (POSIX_SOCKETS_ADDON, build/Release
// or the prebuild).
'use strict';
const path = require('node:path');
const { loadAddon } = require('../../dist/load.js');

module.exports = loadAddon(path.resolve(__dirname, '../..'));
