// The compiled addon, loaded once by lib/load.ts (which says where it looks).
import { loadAddon } from './load.js';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

/**
 * The raw addon: one function per system call, each returning its result or
 * -errno. Every `lib/` module types and checks the part it uses; user code
 * should import those modules, not this object.
 */
export const native: Record<string, unknown> & { constants: Record<string, number> } =
  loadAddon(root);
