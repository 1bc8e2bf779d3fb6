// Loads the compiled addon. POSIX_SOCKETS_ADDON names another build of it
// (the cmake-js build, a sanitizer build) to load instead.
import bindings = require('bindings');
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

/**
 * The raw addon: one function per system call, each returning its result or
 * -errno. Every `lib/` module types and checks the part it uses; user code
 * should import those modules, not this object.
 */
export const native: Record<string, unknown> & { constants: Record<string, number> } =
  process.env.POSIX_SOCKETS_ADDON
    ? require(path.resolve(process.env.POSIX_SOCKETS_ADDON))
    : bindings({ bindings: 'posix_sockets', module_root: root });
