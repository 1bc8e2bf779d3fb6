// ping, as in C: ICMP echo requests over a raw socket (raw(7), icmp(7)),
// the header and checksum built here in TypeScript.
//
//   npx tsx examples/3-udp-unix/23-ping.ts [host] [count]     (default 127.0.0.1, 3)
//
// A raw socket needs CAP_NET_RAW (root). Without it, the example falls back
// to an unprivileged "ping socket" (SOCK_DGRAM + IPPROTO_ICMP), which Linux
// allows to the groups in net.ipv4.ping_group_range.
import {
  AF_INET,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  IPPROTO_ICMP,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SocketError,
  close,
  recvfrom,
  sendto,
  socket,
} from 'posix-sockets';

/** The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1] << 8; // pad the odd byte with zero
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * An ICMP echo request (struct icmphdr then the payload): type ICMP_ECHO,
 * code 0, checksum, identifier, sequence number, all in network byte order.
 */
export function echoRequest(id: number, seq: number, payload: Uint8Array): Buffer {
  const packet = Buffer.alloc(8 + payload.length);
  packet.writeUInt8(ICMP_ECHO, 0);
  packet.writeUInt8(0, 1);
  packet.writeUInt16BE(0, 2); // the checksum covers the packet with this field zero
  packet.writeUInt16BE(id, 4);
  packet.writeUInt16BE(seq, 6);
  packet.set(payload, 8);
  packet.writeUInt16BE(internetChecksum(packet), 2);
  return packet;
}

/** The fields of an ICMP message, and whether its checksum holds. */
export interface Icmp {
  type: number;
  code: number;
  id: number;
  seq: number;
  payload: Buffer;
  checksumOk: boolean;
}

/**
 * Parses what a socket received: a raw socket delivers the IPv4 header
 * first (its length is IHL * 4), a ping socket the ICMP message alone.
 */
export function parseIcmp(packet: Buffer, withIpHeader: boolean): Icmp | null {
  const start = withIpHeader ? (packet[0] & 0x0f) * 4 : 0;
  if (packet.length < start + 8) return null;
  const icmp = packet.subarray(start);
  return {
    type: icmp[0],
    code: icmp[1],
    id: icmp.readUInt16BE(4),
    seq: icmp.readUInt16BE(6),
    payload: icmp.subarray(8),
    checksumOk: internetChecksum(icmp) === 0,
  };
}

/** An ICMP socket: raw when allowed, else a ping socket, else the error of the raw attempt. */
export function icmpSocket(kind: 'raw' | 'ping'): number {
  return socket(AF_INET, (kind === 'raw' ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK, IPPROTO_ICMP);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Sends one echo request on `fd` to `host` and waits (polling a
 * non-blocking socket, at most `timeoutMs`) for the matching reply. Returns
 * the reply and the round-trip time, or null when none came. On a ping
 * socket the kernel sets the identifier itself and filters replies.
 */
export function pingOnce(
  fd: number,
  kind: 'raw' | 'ping',
  host: string,
  id: number,
  seq: number,
  timeoutMs = 2000,
): { reply: Icmp; rttMs: number } | null {
  const payload = Buffer.from(`posix-sockets ping ${seq}`);
  const started = process.hrtime.bigint();
  sendto(fd, echoRequest(id, seq, payload), undefined, 0, { family: AF_INET, address: host, port: 0 });
  const buf = Buffer.alloc(1500);
  for (let waited = 0; waited <= timeoutMs; ) {
    const { bytes } = recvfrom(fd, buf);
    if (bytes < 0) {
      sleep(1);
      waited += 1;
      continue;
    }
    const msg = parseIcmp(buf.subarray(0, bytes), kind === 'raw');
    // A raw socket sees every ICMP message on the host, our own request
    // among them on loopback: keep only the reply to this request.
    if (msg && msg.type === ICMP_ECHOREPLY && msg.seq === seq && (kind === 'ping' || msg.id === id)) {
      if (!msg.payload.equals(payload)) continue;
      return { reply: msg, rttMs: Number(process.hrtime.bigint() - started) / 1e6 };
    }
  }
  return null;
}

function main(): void {
  const host = process.argv[2] ?? '127.0.0.1';
  const count = Number(process.argv[3] ?? 3);
  let kind: 'raw' | 'ping' = 'raw';
  let fd: number;
  try {
    fd = icmpSocket('raw');
  } catch (e) {
    if (!(e instanceof SocketError) || e.code !== 'EPERM') throw e;
    kind = 'ping';
    try {
      fd = icmpSocket('ping');
    } catch (e2) {
      console.error(`no raw socket (EPERM: needs CAP_NET_RAW) and no ping socket (${(e2 as SocketError).code}: ` +
        'this group is outside net.ipv4.ping_group_range)');
      process.exitCode = 1;
      return;
    }
  }
  const id = process.pid & 0xffff;
  console.log(`PING ${host} over a ${kind === 'raw' ? 'raw' : 'ping'} socket`);
  try {
    for (let seq = 1; seq <= count; seq++) {
      const r = pingOnce(fd, kind, host, id, seq);
      if (r === null) console.log(`icmp_seq=${seq} no reply`);
      else console.log(`${r.reply.payload.length + 8} bytes from ${host}: icmp_seq=${seq} time=${r.rttMs.toFixed(3)} ms`);
    }
  } finally {
    close(fd);
  }
}

// Runs when started as a script; importing it (as the tests do) only
// brings in the functions above.
if (typeof require !== 'undefined' && require.main === module) main();
