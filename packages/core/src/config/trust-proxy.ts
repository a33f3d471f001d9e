/**
 * Addresses and CIDR ranges of `trustProxy`: parsing and matching, used by the configuration
 * schema (to refuse a bad entry at start) and by the HTTP layer (to find the client's IP).
 */

/** One parsed address: its family and its bits as a bigint (32 or 128 of them). */
export interface ParsedAddress {
  readonly v6: boolean;
  readonly bits: bigint;
}

/** One range of `trustProxy`: an address with a prefix length (a lone address is /32 or /128). */
export interface ProxyRange {
  readonly v6: boolean;
  readonly network: bigint;
  readonly prefix: number;
}

/**
 * Parses one `trustProxy` entry, an address (`10.0.0.7`, `2001:db8::1`) or a CIDR range
 * (`10.0.0.0/8`, `fd00::/8`); `undefined` when it is neither. Host bits set in a range
 * (`10.0.0.1/8`) are refused: that is almost always a typo for a single address.
 */
export function parseProxyRange(entry: string): ProxyRange | undefined {
  const slash = entry.indexOf('/');
  const address = parseAddress(slash < 0 ? entry : entry.slice(0, slash));
  if (address === undefined) return undefined;
  const width = address.v6 ? 128 : 32;
  let prefix = width;
  if (slash >= 0) {
    const text = entry.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(text)) return undefined;
    prefix = Number(text);
    if (prefix > width) return undefined;
  }
  const hostBits = BigInt(width - prefix);
  const network = (address.bits >> hostBits) << hostBits;
  if (network !== address.bits) return undefined;
  return { v6: address.v6, network, prefix };
}

/** Whether `address` lies in `range` (same family, same leading `prefix` bits). */
export function inRange(address: ParsedAddress, range: ProxyRange): boolean {
  if (address.v6 !== range.v6) return false;
  const hostBits = BigInt((range.v6 ? 128 : 32) - range.prefix);
  return address.bits >> hostBits === range.network >> hostBits;
}

/** Parses a normalized or raw address into its bits; `undefined` for anything else. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const a = normalizeAddress(text);
  if (a === undefined) return undefined;
  if (!a.includes(':')) {
    const parts = a.split('.');
    if (parts.length !== 4) return undefined;
    let bits = 0n;
    for (const part of parts) {
      if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
      bits = (bits << 8n) | BigInt(part);
    }
    return { v6: false, bits };
  }
  // `normalize` gave the URL parser's spelling: lower case, `::` for the longest zero run,
  // and an embedded IPv4 tail rewritten as two hex groups.
  const [head, tail, extra] = a.split('::');
  if (extra !== undefined) return undefined;
  const groups = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  let bits = 0n;
  for (const group of [...left, ...Array<string>(missing).fill('0'), ...right]) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
    bits = (bits << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return { v6: true, bits };
}

/** Strips IPv4-mapped IPv6 (`::ffff:127.0.0.1`) and IPv6 brackets; refuses junk. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  let a = address.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (a.toLowerCase().startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(a)) return undefined;
  if (!a.includes(':')) return a;
  // One spelling per IPv6 address (lower case, zeros compressed), so a configured proxy
  // written `2001:DB8::1` matches the peer `2001:db8:0:0:0:0:0:1`.
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}
