// posix-sockets: the Berkeley socket API and Linux epoll, one call for one
// system call. Each module is the typed face of one native concern.
export * from './constants.js';
export * from './errors.js';
export * from './address.js';
export * from './socket.js';
export * from './fd.js';
export * from './io.js';
export * from './sockopt.js';
export * from './msg.js';
export * from './epoll.js';
export * from './loop.js';
export * from './poller.js';
