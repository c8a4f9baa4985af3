import { hostname } from 'node:os';

import { describe, expect, it } from 'vitest';

import { hostRule, isAllowedHost, isLoopback, urlHost } from './host-check';

describe('isAllowedHost, bound to 127.0.0.1:6464', () => {
  const rule = hostRule('127.0.0.1', 6464);
  it.each([
    ['127.0.0.1:6464', true],
    ['localhost:6464', true],
    ['LOCALHOST:6464', true],
    ['[::1]:6464', true],
    ['127.0.0.1:6465', false],
    ['127.0.0.1', false],
    ['evil.example:6464', false],
    ['localhost.evil.example:6464', false],
    ['192.168.1.20:6464', false],
    ['127.0.0.1:6464@evil.example', false],
    ['', false],
    [undefined, false],
  ])('%s: %s', (header, allowed) => {
    expect(isAllowedHost(header, rule)).toBe(allowed);
  });
});

describe('isAllowedHost, bound to all interfaces (--host 0.0.0.0)', () => {
  const rule = hostRule('0.0.0.0', 6464);
  it.each([
    ['192.168.1.20:6464', true],
    ['[fe80::1]:6464', true],
    ['localhost:6464', true],
    [`${hostname()}:6464`, true],
    ['evil.example:6464', false],
    ['192.168.1.20:80', false],
  ])('%s: %s', (header, allowed) => {
    expect(isAllowedHost(header, rule)).toBe(allowed);
  });
});

describe('isAllowedHost, bound to a named address (--host box.lan)', () => {
  const rule = hostRule('box.lan', 6464);
  it.each([
    ['box.lan:6464', true],
    ['box.lan.:6464', true],
    ['127.0.0.1:6464', true],
    ['192.168.1.20:6464', false],
    ['other.lan:6464', false],
  ])('%s: %s', (header, allowed) => {
    expect(isAllowedHost(header, rule)).toBe(allowed);
  });
});

describe('isLoopback and urlHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.2', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['192.168.1.20', false],
  ])('isLoopback(%s): %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '[::1]'],
    ['[::1]', '[::1]'],
    ['box.lan', 'box.lan'],
  ])('urlHost(%s): %s', (host, url) => {
    expect(urlHost(host)).toBe(url);
  });
});
