// The boundary between lib/ and the addon: every function the addon
// registers is declared by exactly one lib/ module's nativeModule<{...}>()
// (no dead native function, no declaration of a missing one), and the
// node-gyp source list is native/ itself (CMake globs it; gyp must list it).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nativeModule } from '../lib/native.js';
import { declaredBy, registeredBy } from './source-parsers.js';

const root = new URL('..', import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, root), 'utf8');
const sorted = (xs: Iterable<string>) => [...xs].sort();

const ccFiles = readdirSync(new URL('native/', root)).filter((f) => f.endsWith('.cc'));
const libFiles = readdirSync(new URL('lib/', root)).filter((f) => f.endsWith('.ts'));
const registered = ccFiles.flatMap((f) => registeredBy(read(`native/${f}`)));
const declared = new Set(libFiles.flatMap((f) => declaredBy(read(`lib/${f}`))));

describe('the JS-native boundary', () => {
  it('reads the registrations right: they are exactly the addon object at run time', () => {
    // A loader may add its own string properties (`bindings` adds `path`).
    const addon = nativeModule<Record<string, unknown>>();
    const own = Object.keys(addon).filter((k) => typeof addon[k] !== 'string');
    expect(sorted(registered)).toEqual(sorted(own));
    expect(new Set(registered).size).toBe(registered.length);
  });

  it('every registered native function is declared by a lib/ module, and every declaration is registered', () => {
    expect(sorted(declared)).toEqual(sorted(registered));
  });

  it('the parsers see a name removed on either side', () => {
    const decl = 'const n = nativeModule<{\n  listen(fd: number, backlog: number): OrErrno;\n  close(fd: number): OrErrno;\n}>();';
    expect(declaredBy(decl)).toEqual(['listen', 'close']);
    expect(declaredBy(decl.replace(/ {2}close.*\n/, ''))).toEqual(['listen']);
    expect(registeredBy('SetFunction(env, exports, "listen", Listen);\n// "close"')).toEqual(['listen']);
  });

  it("binding.gyp lists exactly native/*.cc (CMakeLists.txt globs the same folder)", () => {
    const gyp = JSON.parse(read('binding.gyp')) as { targets: Array<{ sources: string[] }> };
    expect(sorted(gyp.targets[0]!.sources)).toEqual(sorted(ccFiles.map((f) => `native/${f}`)));
    expect(read('CMakeLists.txt')).toMatch(/file\(GLOB SOURCES CONFIGURE_DEPENDS native\/\*\.cc\)/);
  });
});
