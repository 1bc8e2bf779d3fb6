// inet_pton/inet_ntop and byte order: the C library's own functions.
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, htonl, htons, inet_ntop, inet_pton, ntohl, ntohs } from '../lib/index.js';

describe('inet_pton / inet_ntop', () => {
  it('converts IPv4 text to 4 bytes in network order and back', () => {
    const b = inet_pton(AF_INET, '192.0.2.33');
    expect(b && [...b]).toEqual([192, 0, 2, 33]);
    expect(inet_ntop(AF_INET, b!)).toBe('192.0.2.33');
  });

  it('converts IPv6 text to 16 bytes and back to the canonical form', () => {
    const b = inet_pton(AF_INET6, '2001:db8:0:0:0:0:0:1');
    expect(b?.length).toBe(16);
    expect(b?.readUInt16BE(0)).toBe(0x2001);
    expect(inet_ntop(AF_INET6, b!)).toBe('2001:db8::1');
    expect(inet_ntop(AF_INET6, inet_pton(AF_INET6, '::ffff:127.0.0.1')!)).toBe('::ffff:127.0.0.1');
  });

  it('returns null where C returns 0', () => {
    expect(inet_pton(AF_INET, '1.2.3')).toBeNull();
    expect(inet_pton(AF_INET6, '127.0.0.1')).toBeNull();
  });
});

describe('byte order', () => {
  it('htons/ntohs and htonl/ntohl swap on this little-endian machine and round-trip', () => {
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    expect(htons(0x1234)).toBe(little ? 0x3412 : 0x1234);
    expect(ntohs(htons(8080))).toBe(8080);
    expect(htonl(0x7f000001)).toBe(little ? 0x0100007f : 0x7f000001);
    expect(ntohl(htonl(0xdeadbeef))).toBe(0xdeadbeef);
  });

  it('rejects values that do not fit', () => {
    expect(() => htons(0x10000)).toThrow(RangeError);
    expect(() => htonl(-1)).toThrow(RangeError);
  });
});
