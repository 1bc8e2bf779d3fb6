// The listening socket every addon server starts from, as the C server makes
// it: non-blocking, SO_REUSEADDR when setsockopt exists, 127.0.0.1, SOMAXCONN.
import { AF_INET, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, bind, getsockname, listen, socket } from 'posix-sockets';
import { api } from './api.js';

export function listenLoopback(port: number): { lfd: number; port: number } {
  const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  api('sockopt')?.setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
  bind(lfd, { family: AF_INET, address: '127.0.0.1', port });
  listen(lfd);
  const addr = getsockname(lfd);
  return { lfd, port: 'port' in addr ? addr.port : port };
}
