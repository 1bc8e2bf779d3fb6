// Names for numbers, as the trace mode and the lessons print them.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EPOLLET,
  EPOLLIN,
  EPOLLRDHUP,
  EPOLL_CTL_MOD,
  MSG_DONTWAIT,
  MSG_PEEK,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SO_REUSEADDR,
  constantName,
  flagNames,
  socketTypeName,
} from '../lib/index.js';

describe('names for numbers', () => {
  it('constantName picks the first name the headers give a value, within a prefix', () => {
    expect(constantName(AF_INET, 'AF_')).toBe('AF_INET');
    expect(constantName(AF_UNIX, 'AF_')).toBe('AF_UNIX'); // not AF_LOCAL, its second name
    expect(constantName(SO_REUSEADDR, 'SO_')).toBe('SO_REUSEADDR');
    expect(constantName(EPOLL_CTL_MOD, 'EPOLL_CTL_')).toBe('EPOLL_CTL_MOD');
    expect(constantName(12345, 'AF_')).toBe('12345');
  });

  it('flagNames joins single-bit names with |, and leaves unnamed bits in hex', () => {
    expect(flagNames(EPOLLIN | EPOLLRDHUP, 'EPOLL')).toBe('EPOLLIN|EPOLLRDHUP');
    expect(flagNames(EPOLLIN | EPOLLET, 'EPOLL')).toBe('EPOLLIN|EPOLLET'); // bit 31, unsigned
    expect(flagNames(EPOLL_CTL_MOD, 'EPOLL')).not.toContain('CTL'); // EPOLL_* are not events
    expect(flagNames(MSG_PEEK | MSG_DONTWAIT, 'MSG_')).toBe('MSG_PEEK|MSG_DONTWAIT');
    expect(flagNames(0, 'MSG_')).toBe('0');
    expect(flagNames(1 << 30, 'MSG_')).toBe('MSG_CMSG_CLOEXEC');
  });

  it('socketTypeName prints the type with its flags, as strace', () => {
    expect(socketTypeName(SOCK_STREAM)).toBe('SOCK_STREAM');
    expect(socketTypeName(SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC)).toBe('SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC');
  });
});
