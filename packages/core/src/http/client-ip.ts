import {
  inRange,
  normalizeAddress as normalize,
  parseAddress,
  parseProxyRange,
} from '../config/trust-proxy.js';

/** What `trustProxy` may be: off, a hop count, or proxy addresses and CIDR ranges. */
export type TrustProxy = false | number | readonly string[];

/**
 * Makes the function that finds the client's IP address for one `trustProxy` setting, parsed
 * once. Only the socket peer is trusted unless proxies are configured:
 * - `false`: the peer; `X-Forwarded-For` is ignored.
 * - proxy addresses or CIDR ranges: the chain `X-Forwarded-For, peer` is walked from the peer
 *   while the hop is a listed proxy; the first hop that is not is the client. A client that
 *   reaches the app directly is its own peer, not a listed proxy, so what it writes in
 *   `X-Forwarded-For` is never read.
 * - a hop count `n`: the address `n` hops back from the peer, whoever the peer is. Only safe
 *   when nothing but the proxies can reach the app (see docs/configuration.md).
 *
 * A raw `X-Forwarded-For` is never taken at face value: a client can write anything in it,
 * only the part appended by our own proxies is true.
 * @throws TypeError for an entry that is neither an address nor a CIDR range (the
 *   configuration schema refuses those first).
 */
export function clientIpResolver(
  trustProxy: TrustProxy,
): (request: Request, remoteAddress: string | undefined) => string | undefined {
  if (trustProxy === false) return (_request, remoteAddress) => normalize(remoteAddress);
  if (typeof trustProxy === 'number') {
    return (request, remoteAddress) => {
      const chain = forwardedChain(request, remoteAddress);
      if (chain === undefined) return undefined;
      // Each trusted proxy appended the address it received from; skip that many hops.
      return chain[Math.max(0, chain.length - 1 - trustProxy)];
    };
  }
  const ranges = trustProxy.map((entry) => {
    const range = parseProxyRange(entry.trim());
    if (range === undefined) {
      throw new TypeError(`trustProxy: "${entry}" is neither an IP address nor a CIDR range`);
    }
    return range;
  });
  const trusted = (address: string) => {
    const parsed = parseAddress(address);
    return parsed !== undefined && ranges.some((r) => inRange(parsed, r));
  };
  return (request, remoteAddress) => {
    const peer = normalize(remoteAddress);
    // A peer that is not one of our proxies reached us directly: its header is its own word.
    if (peer === undefined || !trusted(peer)) return peer;
    const chain = forwardedChain(request, remoteAddress) ?? [peer];
    let i = chain.length - 1;
    while (i > 0 && trusted(chain[i] as string)) i--;
    return chain[i];
  };
}

/**
 * The client's IP address for one request (see {@link clientIpResolver}, which parses the
 * setting once; this parses it on every call).
 */
export function clientIp(
  request: Request,
  remoteAddress: string | undefined,
  trustProxy: TrustProxy,
): string | undefined {
  return clientIpResolver(trustProxy)(request, remoteAddress);
}

/** The chain as seen from here: `client … proxy1, proxy2, peer`; junk entries dropped. */
function forwardedChain(request: Request, remoteAddress: string | undefined) {
  const peer = normalize(remoteAddress);
  if (peer === undefined) return undefined;
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalize(s.trim()))
    .filter((s): s is string => s !== undefined);
  return [...forwarded, peer];
}
