// Lesson: UDP GSO and GRO, many datagrams for one system call.
//
// Each send() on a UDP socket is one datagram, so a sender of 1000-byte
// datagrams pays a system call (and a trip through the stack) per 1000
// bytes. With UDP_SEGMENT set (segmentation offload, Linux 4.18), one send of
// up to 64 segments leaves as datagrams of that size, cut as late as possible:
// a receiver sees ordinary datagrams, one per recv(). With UDP_GRO set on the
// receiver (receive offload, Linux 5.0), the kernel may hand such a train
// over in one read instead, and says where to cut it: a UDP_GRO control
// message carries the segment size. Both are in udp(7).
// Run: npx tsx examples/5-performance/34-udp-gso.ts
import { endianness } from 'node:os';
import {
  AF_INET,
  CMSG_SPACE,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  SOL_UDP,
  UDP_GRO,
  UDP_SEGMENT,
  bind,
  close,
  connect,
  constantName,
  getsockname,
  recv,
  recvmsg,
  send,
  setsockopt,
  socket,
} from 'posix-sockets';

type In = { family: typeof AF_INET; address: string; port: number };
const SEGMENT = 1000;
const COUNT = 10;
const train = Buffer.alloc(SEGMENT * COUNT, 'x');
const buf = Buffer.alloc(65536);

const rx = socket(AF_INET, SOCK_DGRAM);
bind(rx, { family: AF_INET, address: '127.0.0.1', port: 0 });
const tx = socket(AF_INET, SOCK_DGRAM);
connect(tx, getsockname(rx) as In);

// GSO: one send, cut by the kernel into datagrams of SEGMENT bytes.
setsockopt(tx, SOL_UDP, UDP_SEGMENT, SEGMENT);
const sent = send(tx, train);
console.log(`sender: 1 send() of ${sent} bytes with UDP_SEGMENT=${SEGMENT}`);

const sizes: number[] = [];
for (let n; (n = recv(rx, buf, undefined, MSG_DONTWAIT)) !== -1; ) sizes.push(n);
console.log(`receiver: ${sizes.length} recv() calls, one datagram each, of ${[...new Set(sizes)].join(', ')} bytes`);

// GRO: the receiver asks for the train whole, and the segment size with it.
setsockopt(rx, SOL_UDP, UDP_GRO, true);
send(tx, train);
const reads: Array<{ bytes: number; segment: string }> = [];
for (;;) {
  const r = recvmsg(rx, [buf], { controlLength: CMSG_SPACE(4) }, MSG_DONTWAIT);
  if (r.bytes === -1) break;
  // The control message's data is a C int, in the host's byte order.
  const gro = r.control.find((c) => c.level === SOL_UDP && c.type === UDP_GRO);
  const size = gro && (endianness() === 'LE' ? gro.data.readInt32LE(0) : gro.data.readInt32BE(0));
  const label = gro ? `${constantName(gro.level, 'SOL_')}/${constantName(gro.type, 'UDP_')} = ${size}` : 'none';
  reads.push({ bytes: r.bytes, segment: label });
}
console.log(`receiver with UDP_GRO: ${reads.length} recvmsg() call(s) for the same ${COUNT} datagrams`);
for (const { bytes, segment } of reads) {
  console.log(`  read ${bytes} bytes (${bytes / SEGMENT} datagrams), control message ${segment}`);
}

close(tx);
close(rx);
