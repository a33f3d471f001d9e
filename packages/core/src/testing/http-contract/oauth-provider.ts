import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuthProvider } from '../../oauth/types.js';

/** The id of the contract suite's provider (`/oauth/contract/...`). */
export const CONTRACT_PROVIDER = 'contract';

/** A person at the contract provider. */
export interface ContractIdentity {
  readonly id: string;
  readonly email: string;
  readonly verified: boolean;
}

/**
 * A small OAuth 2 authorization server on a loopback port, for the HTTP contract suite: it
 * approves every authorization at once (302 back with a code and the state), exchanges a code
 * once with the client's secret and the PKCE S256 verifier, and answers `GET /user` for the
 * access token. Real HTTP and the real checks, no user interface.
 */
export interface ContractProvider {
  /** The provider as `createAuth` takes it (`kind: 'oauth2'`, loopback http allowed). */
  readonly provider: OAuthProvider;
  /** Who the next authorization signs in. */
  next: ContractIdentity;
  /** Stops the server. */
  close(): Promise<void>;
}

interface Grant {
  readonly challenge: string;
  readonly redirectUri: string;
  readonly identity: ContractIdentity;
}

const CLIENT_ID = 'contract-client';
const CLIENT_SECRET = 'contract-client-secret';

/** Starts a {@link ContractProvider}. */
export async function startContractProvider(): Promise<ContractProvider> {
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, ContractIdentity>();
  const state: { next: ContractIdentity } = {
    next: { id: '1', email: 'contract.person@example.com', verified: true },
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/authorize') {
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        const challenge = url.searchParams.get('code_challenge') ?? '';
        const target = new URL(redirectUri);
        if (url.searchParams.get('client_id') !== CLIENT_ID || challenge === '') {
          target.searchParams.set('error', 'invalid_request');
        } else {
          const code = randomBytes(16).toString('hex');
          codes.set(code, { challenge, redirectUri, identity: state.next });
          target.searchParams.set('code', code);
        }
        const st = url.searchParams.get('state');
        if (st !== null) target.searchParams.set('state', st);
        res.writeHead(302, { location: target.href }).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        const form = new URLSearchParams(await readBody(req));
        // RFC 6749 2.3.1: id and secret are form-urlencoded before they are joined.
        const basic = Buffer.from(
          (req.headers.authorization ?? '').replace(/^Basic /, ''),
          'base64',
        )
          .toString()
          .split(':')
          .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')))
          .join(':');
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const ok =
          grant !== undefined &&
          basic === `${CLIENT_ID}:${CLIENT_SECRET}` &&
          form.get('redirect_uri') === grant.redirectUri &&
          createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
        if (!ok) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const token = randomBytes(16).toString('hex');
        tokens.set(token, grant.identity);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/user') {
        const identity = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        if (identity === undefined) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(identity));
        return;
      }
      res.writeHead(404).end();
    })().catch(() => {
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider: OAuthProvider = {
    id: CONTRACT_PROVIDER,
    name: 'Contract',
    kind: 'oauth2',
    endpoints: { authorization: `${base}/authorize`, token: `${base}/token` },
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scopes: ['user'],
    // The suite's own provider vouches only for the addresses it was told to: trusted, so that
    // its accounts are verified and sign in under the default `emailVerification.required`.
    trustEmail: true,
    allowInsecureLoopback: true,
    async profile({ accessToken, fetch: get }) {
      const res = await get(`${base}/user`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const me = (await res.json()) as ContractIdentity;
      return { subject: me.id, email: me.email, emailVerified: me.verified };
    },
  };
  return {
    provider,
    get next() {
      return state.next;
    },
    set next(identity: ContractIdentity) {
      state.next = identity;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
