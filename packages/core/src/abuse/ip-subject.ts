/**
 * The subject a per-IP rule counts for a client address. An IPv4 address is its own subject.
 * An IPv6 address counts for its /64 network (`2001:db8:1:2::/64`): one subscriber usually gets
 * a whole /64 and can pick any of its 2^64 addresses, so counting single IPv6 addresses would
 * let one client spread its attempts over as many counters as it likes. Anything that does not
 * parse as an address is used as given.
 *
 * @example
 * ```ts
 * ipSubject('203.0.113.7'); // '203.0.113.7'
 * ipSubject('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * ```
 */
export function ipSubject(ip: string): string {
  if (!ip.includes(':')) return ip;
  const groups = ipv6Groups(ip.toLowerCase());
  return groups === undefined ? ip : `${groups.slice(0, 4).join(':')}::/64`;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The eight 16-bit groups of an IPv6 address, in shortest hex; `undefined` when malformed. */
function ipv6Groups(ip: string): string[] | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const parts = halves.map((h) => (h === '' ? [] : h.split(':')));
  const last = parts[parts.length - 1];
  // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) stands for the last two groups.
  const quad = last === undefined ? null : DOTTED_QUAD.exec(last[last.length - 1] ?? '');
  if (last !== undefined && quad !== null) {
    const bytes = quad.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    last.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const head = parts[0] ?? [];
  const tail = halves.length === 2 ? (parts[1] ?? []) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => HEX_GROUP.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
