// Loads the compiled addon. POSIX_SOCKETS_ADDON names another build of it
// (the cmake-js build, a sanitizer build) to load instead.
import bindings = require('bindings');
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

const addon: object = process.env.POSIX_SOCKETS_ADDON
  ? require(path.resolve(process.env.POSIX_SOCKETS_ADDON))
  : bindings({ bindings: 'posix_sockets', module_root: root });

/**
 * What a native wrapper answers (native/common.h): the system call's result
 * when it succeeded (>= 0), or the negated errno when it failed. A wrapper
 * never throws for a system error; lib/check.ts turns the negative answer
 * into a SocketError (or into -1 where would-block is a return value).
 * Wrappers that build a value on success (an array, an object) answer
 * `value | OrErrno`.
 */
export type OrErrno = number;

/**
 * The addon, typed as the part one lib/ module uses: `nativeModule<{
 * listen(fd: number, backlog: number): OrErrno }>()`. Every module declares
 * its native functions this way, once, and test/native.test.ts holds the
 * declarations to what the addon registers.
 */
export function nativeModule<T extends object>(): T {
  return addon as T;
}
