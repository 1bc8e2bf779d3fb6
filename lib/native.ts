// The compiled addon, loaded once by lib/load.ts (which says where it looks).
import { loadAddon } from './load.js';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

const addon: object = loadAddon(root);

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
