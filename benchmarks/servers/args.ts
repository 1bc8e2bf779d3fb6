// Command line shared by every benchmark server, the same as the C server's:
//   <server>.ts <mode> <port> [--buf N] [--nodelay] [--sndbuf N] [--watch-stdin]
// Each prints "ready <port>" once it listens on 127.0.0.1 (port 0: an
// ephemeral port, the one printed).

export interface ServerArgs {
  mode: string;
  port: number;
  buf: number;
  nodelay: boolean;
  sndbuf: number;
  watchStdin: boolean;
}

export function parseServerArgs(argv: string[], modes: readonly string[]): ServerArgs {
  const [mode, port, ...rest] = argv;
  if (mode === undefined || !modes.includes(mode) || port === undefined || !/^\d+$/.test(port)) {
    process.stderr.write(`usage: <server> <${modes.join('|')}> <port> [--buf N] [--nodelay] [--sndbuf N] [--watch-stdin]\n`);
    process.exit(2);
  }
  const args: ServerArgs = { mode, port: Number(port), buf: 65536, nodelay: false, sndbuf: 0, watchStdin: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--buf') args.buf = Number(rest[++i]);
    else if (a === '--sndbuf') args.sndbuf = Number(rest[++i]);
    else if (a === '--nodelay') args.nodelay = true;
    else if (a === '--watch-stdin') args.watchStdin = true;
    else {
      process.stderr.write(`unknown option ${a}\n`);
      process.exit(2);
    }
  }
  return args;
}
