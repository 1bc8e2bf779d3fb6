// The child that examples/common/netns.ts runs inside a namespace with
// `ip netns exec`, so that its sockets are that namespace's:
//   sockets <count> <type>  makes <count> AF_INET sockets of <type> and
//                           passes them over fd 3 (SCM_RIGHTS), then exits;
//   serve <address>         a server process: listens on <address> and a
//                           kernel-picked port (printed), accepts one
//                           connection, and holds it until its stdin closes
//                           (the lesson ended) or it is killed.
import { AF_INET, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, accept, bind, getsockname, listen, scmRights, sendmsg, setsockopt, socket, type SockaddrIn } from 'posix-sockets';

const [mode, ...args] = process.argv.slice(2);

if (mode === 'sockets') {
  const count = Number(args[0]);
  const type = Number(args[1] ?? SOCK_STREAM);
  const fds = Array.from({ length: count }, () => socket(AF_INET, type, 0));
  sendmsg(3, { buffers: [Buffer.from('x')], control: [scmRights(fds)] }); // at least one byte of data goes with them
} else if (mode === 'serve') {
  const lfd = socket(AF_INET, SOCK_STREAM, 0);
  bind(lfd, { family: AF_INET, address: args[0]!, port: 0 });
  listen(lfd, 1);
  console.log(`listening on port ${(getsockname(lfd) as SockaddrIn).port}`);
  // accept waits 200 ms at a time, 10 s in all, and gives up as soon as the
  // lesson that started it is gone (getppid changes): never an orphan.
  setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, 200);
  const parent = process.ppid;
  let fd = -1;
  for (let i = 0; i < 50 && fd === -1 && process.ppid === parent; i++) fd = accept(lfd);
  if (fd === -1) process.exit(1);
  console.log(`accepted fd ${fd} in pid ${process.pid}`);
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
} else {
  console.error(`netns-child: unknown mode ${mode}`);
  process.exit(2);
}
