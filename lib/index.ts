// posix-sockets: the Berkeley socket API and Linux epoll, one call for one
// system call. Each module is the typed face of one native concern.
export * from './constants.js';
export * from './errors.js';
export * from './address.js';
export * from './cstruct.js';
export * from './socket.js';
export * from './fd.js';
export * from './io.js';
export * from './sockopt.js';
export * from './sockopt-types.js';
export * from './msg.js';
export * from './epoll.js';
export * from './select.js';
export * from './loop.js';
export * from './poller.js';
export * from './names.js';
export * from './trace.js';
export * from './netdb.js';
export * from './timerfd.js';
export * from './signalfd.js';
export * from './zerocopy.js';
export * from './uring.js';
export * from './liburing.js';
export * from './uring-prep.js';
export * from './uring-buf.js';
export * from './uring-msg.js';
export * from './uring-fixed.js';
export * from './uring-loop.js';

// `export *` compiles to CommonJS as getters that share one closure
// (`function () { return m[k]; }`), so every call through the package object
// (`ps.read(...)`, or `read(...)` in TypeScript compiled to CommonJS) pays a
// megamorphic keyed load: 8 % of an echo server's CPU in a profile. The
// bindings never change, so the package object is replaced by a plain one
// with the same values as data properties. Object.fromEntries builds it in
// V8's fast mode; an object grown key by key past a few hundred properties
// would be a hash table, whose loads cannot be inlined. (The assignment goes
// through an alias: Node finds the names an `import` may take by reading the
// `export *` lines above, and a literal `module.exports =` would hide them.)
declare const module: { exports: Record<string, unknown> } | undefined;
if (typeof module === 'object' && module !== null && module.exports && !Object.isFrozen(module.exports)) {
  const self = module;
  const flat = Object.fromEntries(Object.keys(self.exports).map((key) => [key, self.exports[key]]));
  self.exports = Object.freeze(Object.defineProperty(flat, '__esModule', { value: true }));
}
