/**
 * Which Host headers `richscope serve` answers. A web page elsewhere can point a name it controls
 * at 127.0.0.1 (DNS rebinding) and read the server as its own origin; the browser then still sends
 * that name as Host, so only the served address's own names are answered.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export interface HostRule {
  /** lower-case host names and IP literals (IPv6 without brackets) that are answered */
  names: string[];
  /** any IP literal is answered too (bound to all interfaces: an IP address cannot be rebound) */
  anyAddress: boolean;
  port: number;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
const WILDCARD = ['0.0.0.0', '::'];

/** Whether a bind address is loopback only (the default, and no warning). */
export function isLoopback(host: string): boolean {
  const bare = unbracket(host.toLowerCase());
  return LOOPBACK.includes(bare) || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The names answered when bound to `bindHost` on `port`. */
export function hostRule(bindHost: string, port: number): HostRule {
  const bare = unbracket(bindHost.toLowerCase());
  const anyAddress = WILDCARD.includes(bare);
  const names = new Set([...LOOPBACK, bare]);
  if (anyAddress) {
    const machine = hostname().toLowerCase();
    names.add(machine);
    names.add(`${machine}.local`);
  }
  return { names: [...names], anyAddress, port };
}

/** Whether a request's Host header (`name:port`, `[v6]:port`) names this server. */
export function isAllowedHost(header: string | undefined, rule: HostRule): boolean {
  if (!header) return false;
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
  if (!match) return false;
  const name = unbracket(match[1]).replace(/\.$/, '');
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (port !== rule.port) return false;
  return rule.names.includes(name) || (rule.anyAddress && isIP(name) !== 0);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `host` as it goes in a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  const bare = unbracket(host);
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}
