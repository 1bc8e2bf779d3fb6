// Loads the compiled addon in a worker thread without the TypeScript layer
// (workers do not run tsx): the same file lib/native.ts loads.
'use strict';
const path = require('node:path');

module.exports = require(
  process.env.POSIX_SOCKETS_ADDON
    ? path.resolve(process.env.POSIX_SOCKETS_ADDON)
    : path.resolve(__dirname, '../../build/Release/posix_sockets.node'),
);
