// SOCK_RAW (ICMP echo), ping sockets, SOCK_SEQPACKET over AF_UNIX and
// AF_PACKET, on the real kernel. Raw and packet sockets need CAP_NET_RAW:
// where socket() says EPERM the test is skipped and says why.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_PACKET,
  AF_UNIX,
  ETH_P_ALL,
  ETH_P_IP,
  ICMP_ECHOREPLY,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  MSG_DONTWAIT,
  MSG_TRUNC,
  PACKET_HOST,
  PACKET_OUTGOING,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_SEQPACKET,
  SocketError,
  accept,
  bind,
  close,
  connect,
  htons,
  if_nametoindex,
  listen,
  recv,
  recvfrom,
  recvmsg,
  send,
  sendmsg,
  sendto,
  socket,
  socketpair,
} from '../lib/index.js';
import { echoRequest, icmpSocket, internetChecksum, parseIcmp, pingOnce } from '../examples/3-udp-unix/23-ping.js';
import { closeAll, loopback, portOf } from './helpers.js';
import { runExample } from './run-example.js';

/** socket(), or null (with the reason logged) when the capability is missing. */
function privileged(make: () => number, what: string): number | null {
  try {
    return make();
  } catch (e) {
    if (e instanceof SocketError && e.code === 'EPERM') {
      console.warn(`skipped: ${what} needs CAP_NET_RAW (socket() said EPERM)`);
      return null;
    }
    throw e;
  }
}

describe('ICMP checksum and header, built in TypeScript', () => {
  it('computes the RFC 1071 checksum, odd lengths included', () => {
    // The worked example of RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2.
    expect(internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]))).toBe(~0xddf2 & 0xffff);
    expect(internetChecksum(Uint8Array.from([0xff]))).toBe(~0xff00 & 0xffff);
    const packet = echoRequest(0x1234, 7, Buffer.from('odd'));
    expect(internetChecksum(packet)).toBe(0); // a packet with its checksum sums to zero
    expect(parseIcmp(packet, false)).toMatchObject({ type: 8, code: 0, id: 0x1234, seq: 7, checksumOk: true });
  });
});

describe('SOCK_RAW: ping 127.0.0.1', () => {
  it('gets an echo reply to a hand-built echo request', (ctx) => {
    const fd = privileged(() => icmpSocket('raw'), 'a raw ICMP socket');
    if (fd === null) return ctx.skip();
    try {
      const r = pingOnce(fd, 'raw', '127.0.0.1', process.pid & 0xffff, 1);
      expect(r).not.toBeNull();
      expect(r!.reply).toMatchObject({ type: ICMP_ECHOREPLY, code: 0, seq: 1, checksumOk: true });
      // The raw socket also hands over the IPv4 header: protocol ICMP, from 127.0.0.1.
      sendto(fd, echoRequest(0xbeef, 2, Buffer.from('hdr')), undefined, 0, { family: AF_INET, address: '127.0.0.1', port: 0 });
      const buf = Buffer.alloc(1500);
      let got: Buffer | null = null;
      for (let i = 0; i < 2000 && got === null; i++) {
        const { bytes } = recvfrom(fd, buf);
        if (bytes < 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        else if (parseIcmp(buf.subarray(0, bytes), true)?.id === 0xbeef) got = Buffer.from(buf.subarray(0, bytes));
      }
      expect(got).not.toBeNull();
      expect(got![0] >> 4).toBe(4); // IP version
      expect(got![9]).toBe(IPPROTO_ICMP);
      expect([...got!.subarray(12, 16)]).toEqual([127, 0, 0, 1]);
    } finally {
      close(fd);
    }
  });

  it('runs as the example: npx tsx examples/3-udp-unix/23-ping.ts', async () => {
    const out = await runExample('3-udp-unix/23-ping.ts', ['127.0.0.1', '2']);
    expect(out).toMatch(/^PING 127\.0\.0\.1 over a (raw|ping) socket$/m);
    expect(out.match(/bytes from 127\.0\.0\.1: icmp_seq=\d time=/g)).toHaveLength(2);
  });
});

describe('SOCK_DGRAM + IPPROTO_ICMP: the unprivileged ping socket', () => {
  it('pings where net.ipv4.ping_group_range allows this group, and says EACCES where not', () => {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    const gid = process.getgid!();
    const groups = [gid, ...(process.getgroups?.() ?? [])];
    const allowed = groups.some((g) => g >= lo && g <= hi);
    if (!allowed) {
      console.warn(`ping socket not allowed here: net.ipv4.ping_group_range is "${lo} ${hi}"; checking the refusal`);
      expect(() => icmpSocket('ping')).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'socket' }));
      return;
    }
    const fd = icmpSocket('ping');
    try {
      const r = pingOnce(fd, 'ping', '127.0.0.1', 0, 5);
      expect(r).not.toBeNull();
      expect(r!.reply).toMatchObject({ type: ICMP_ECHOREPLY, seq: 5, checksumOk: true });
    } finally {
      close(fd);
    }
  });
});

describe('SOCK_SEQPACKET over AF_UNIX', () => {
  it('keeps message boundaries, flags a cut-short record, and reads 0 at EOF', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_SEQPACKET);
    try {
      send(a, Buffer.from('one'));
      sendmsg(a, { buffers: [Buffer.from('tw'), Buffer.from('o!')] });
      send(a, Buffer.from('three'));
      const buf = Buffer.alloc(16);
      expect(buf.toString('utf8', 0, recv(b, buf))).toBe('one');
      expect(buf.toString('utf8', 0, recv(b, buf))).toBe('two!');
      const small = Buffer.alloc(2);
      const m = recvmsg(b, [small]);
      expect(m.bytes).toBe(2);
      expect(m.flags & MSG_TRUNC).toBe(MSG_TRUNC);
      expect(recv(b, buf, undefined, MSG_DONTWAIT)).toBe(-1); // the rest of 'three' is gone with it
      close(a);
      expect(recv(b, buf)).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('listens, accepts and connects like a stream socket', () => {
    const name = `\0posix-sockets-seqpacket-${process.pid}`;
    const l = socket(AF_UNIX, SOCK_SEQPACKET);
    let c = -1;
    let s = -1;
    try {
      bind(l, { family: AF_UNIX, path: name });
      listen(l, 4);
      c = socket(AF_UNIX, SOCK_SEQPACKET);
      connect(c, { family: AF_UNIX, path: name });
      s = accept(l);
      send(c, Buffer.from('a'));
      send(c, Buffer.from('bc'));
      const buf = Buffer.alloc(8);
      expect(recv(s, buf)).toBe(1);
      expect(recv(s, buf)).toBe(2);
    } finally {
      closeAll(l, c, s);
    }
  });
});

describe('AF_PACKET', () => {
  it('sees a UDP datagram to 127.0.0.1, both ways, on a packet socket bound to lo', (ctx) => {
    const lo = if_nametoindex('lo');
    const p = privileged(() => socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_ALL)), 'a packet socket');
    if (p === null) return ctx.skip();
    const r = socket(AF_INET, SOCK_DGRAM);
    const s = socket(AF_INET, SOCK_DGRAM);
    try {
      // ETH_P_ALL, not ETH_P_IP: only taps for every protocol see outgoing
      // packets too (dev_queue_xmit_nit), so both directions show up.
      bind(p, { family: AF_PACKET, protocol: ETH_P_ALL, ifindex: lo });
      bind(r, loopback(AF_INET));
      const marker = Buffer.from(`packet(7) marker ${process.pid} ${Date.now()}`);
      const buf = Buffer.alloc(65536);
      const kinds = new Set<number>();
      // A SOCK_DGRAM packet socket hands over the IP packet without the
      // link-layer header. It sees all of lo, and the rest of the suite may be
      // flooding lo meanwhile: its receive queue can overflow and drop the
      // marker, so the marker is sent again until both directions were seen,
      // within a deadline rather than a count of packets read.
      const deadline = Date.now() + 10_000;
      let sent = 0;
      let lastSend = 0;
      const sleeper = new Int32Array(new SharedArrayBuffer(4));
      while (kinds.size < 2 && Date.now() < deadline) {
        if (Date.now() - lastSend > 200) {
          sendto(s, marker, undefined, 0, loopback(AF_INET, portOf(r)));
          sent++;
          lastSend = Date.now();
        }
        const { bytes, address } = recvfrom(p, buf);
        if (bytes < 0) {
          Atomics.wait(sleeper, 0, 0, 1);
          continue;
        }
        if ((address as { protocol: number }).protocol !== ETH_P_IP) continue;
        const ip = buf.subarray(0, bytes);
        const ihl = (ip[0] & 0x0f) * 4;
        if (ip[9] !== IPPROTO_UDP || !ip.subarray(ihl + 8).equals(marker)) continue;
        expect(ip.readUInt16BE(ihl + 2)).toBe(portOf(r)); // UDP destination port
        expect(address).toMatchObject({ family: AF_PACKET, protocol: ETH_P_IP, ifindex: lo });
        kinds.add((address as { pkttype: number }).pkttype);
      }
      // Loopback shows each packet twice: leaving (PACKET_OUTGOING) and arriving (PACKET_HOST).
      expect([...kinds].sort(), `after ${sent} marker(s) sent`).toEqual([PACKET_HOST, PACKET_OUTGOING].sort());
      expect(recv(r, buf)).toBe(marker.length);
    } finally {
      closeAll(p, r, s);
    }
  });
});
