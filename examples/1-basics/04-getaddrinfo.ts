// Lesson: getaddrinfo, the way to open a client and a server without
// writing the address family into the program. It turns a host and a
// service into a list of ready-made { family, socktype, protocol, addr,
// addrlen }, and the program tries each in turn: socket with the entry's
// three numbers, then bind (server) or connect (client) with its address.
// The same two functions then serve IPv4 and IPv6 alike; only the text of
// the host changes. (Numeric hosts and localhost only: no DNS here.)
// Run: npx tsx examples/1-basics/04-getaddrinfo.ts
import {
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  SOCK_STREAM,
  type AddrInfo,
  accept,
  bind,
  close,
  connect,
  constantName,
  getaddrinfo,
  getpeername,
  getsockname,
  listen,
  recv,
  send,
  socket,
} from 'posix-sockets';
import { expectFact, finish } from '../common/lesson.js';

const describe = (ai: AddrInfo) => `${constantName(ai.ai_family, 'AF_')} ${ai.ai_addr.address} (addrlen ${ai.ai_addrlen})`;

/** Beej's server loop: the first entry that socket, bind and listen all accept. */
function openServer(host: string): { fd: number; ai: AddrInfo } {
  const hints = { ai_flags: AI_PASSIVE | AI_NUMERICSERV, ai_socktype: SOCK_STREAM };
  for (const ai of getaddrinfo(host, '0', hints)) {
    const fd = socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    try {
      bind(fd, ai.ai_addr, ai.ai_addrlen);
      listen(fd, 10);
      return { fd, ai };
    } catch {
      close(fd); // try the next entry
    }
  }
  throw new Error(`no address of ${host} could be bound`);
}

/** The client loop: connect to each entry in turn until one answers; the attempts are reported. */
function openClient(host: string, port: number, attempts: string[]): number {
  const hints = { ai_flags: AI_NUMERICSERV, ai_socktype: SOCK_STREAM };
  for (const ai of getaddrinfo(host, String(port), hints)) {
    const fd = socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    try {
      connect(fd, ai.ai_addr, ai.ai_addrlen);
      attempts.push(`${ai.ai_addr.address}: connected`);
      return fd;
    } catch (e) {
      attempts.push(`${ai.ai_addr.address}: ${(e as { code: string }).code}`);
      close(fd);
    }
  }
  throw new Error(`no address of ${host} answered: ${attempts.join(', ')}`);
}

function talk(serverHost: string, clientHost: string) {
  const server = openServer(serverHost);
  const me = getsockname(server.fd) as { port: number };
  const attempts: string[] = [];
  const client = openClient(clientHost, me.port, attempts);
  const conn = accept(server.fd);
  const peer = getpeername(conn) as { address: string };
  send(conn, Buffer.from('hello'));
  const buf = Buffer.alloc(16);
  const got = buf.toString('utf8', 0, recv(client, buf));
  [conn, client, server.fd].forEach((fd) => close(fd));
  return { bound: describe(server.ai), port: me.port, attempts, peer: peer.address, got };
}

for (const host of ['127.0.0.1', '::1']) {
  const r = talk(host, host);
  console.log(`${host}: the server bound ${r.bound} port ${r.port}; the client tried ${r.attempts.join(', ')}; the server saw it come from ${r.peer}; it read "${r.got}"`);
  expectFact(r.got === 'hello' && r.peer === host, `the same code should work for ${host}`);
}

// localhost: what it resolves to depends on /etc/hosts; the loop copes either way.
const names = getaddrinfo('localhost', null, { ai_socktype: SOCK_STREAM }).map((ai) => ai.ai_addr.address);
const r = talk('127.0.0.1', 'localhost');
console.log(`localhost resolves here to ${names.join(', ')}; against a server on 127.0.0.1 the client tried ${r.attempts.join(', ')}`);
expectFact(r.got === 'hello', 'the client loop should find the server through localhost');

// Its errors are not errno values: a GaiError with an EAI_ code.
let refused = '';
try {
  getaddrinfo('localhost', null, { ai_flags: AI_NUMERICHOST });
} catch (e) {
  refused = `${(e as Error).name} ${(e as { code: string }).code}`;
}
console.log(`getaddrinfo("localhost") with AI_NUMERICHOST threw ${refused}: a name where a number was required`);
expectFact(refused === 'GaiError EAI_NONAME', 'AI_NUMERICHOST should refuse a name');
finish('getaddrinfo: one server function and one client function, for IPv4 and IPv6 alike');
