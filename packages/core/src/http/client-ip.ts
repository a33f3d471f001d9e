/**
 * The client's IP address. Only the socket peer is trusted unless proxies are configured:
 * `trustProxy: n` trusts the last `n` hops of `X-Forwarded-For` (the proxies in front of the
 * app, nearest last); `trustProxy: [addresses]` walks the chain from the nearest hop while the
 * hop is a listed proxy. A raw `X-Forwarded-For` is never taken at face value: a client can
 * write anything in it, only the part appended by our own proxies is true.
 */
export function clientIp(
  request: Request,
  remoteAddress: string | undefined,
  trustProxy: false | number | readonly string[],
): string | undefined {
  const peer = normalize(remoteAddress);
  if (trustProxy === false || peer === undefined) return peer;
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalize(s.trim()))
    .filter((s): s is string => s !== undefined);
  // The chain as seen from here: client ... proxy1, proxy2, peer.
  const chain = [...forwarded, peer];
  if (typeof trustProxy === 'number') {
    // Each trusted proxy appended the address it received from; skip that many hops.
    return chain[Math.max(0, chain.length - 1 - trustProxy)];
  }
  const trusted = new Set(trustProxy.map((a) => normalize(a)));
  let i = chain.length - 1;
  while (i > 0 && trusted.has(chain[i])) i--;
  return chain[i];
}

/** Strips IPv4-mapped IPv6 (`::ffff:127.0.0.1`) and IPv6 brackets; refuses junk. */
function normalize(address: string | undefined): string | undefined {
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
