import type { Engine } from './engine.js';
import { operationPath } from './paths.js';
import type { AuthClient } from './surface.js';
import type { LinkedAccount } from './types.js';

/** Sends the browser to `url` (a full navigation: the provider's page, then the callback). */
function navigate(url: string): void {
  const location = (globalThis as { location?: { assign?: (url: string) => void } }).location;
  location?.assign?.(url);
}

/** `signInWith`, `linkAccount`, `linkedAccounts` and `unlink` of {@link AuthClient}. */
export function oauthApi(
  engine: Engine,
): Pick<AuthClient, 'signInWith' | 'linkAccount' | 'linkedAccounts' | 'unlink'> {
  return {
    signInWith(provider, options = {}) {
      const query =
        options.redirectTo === undefined
          ? ''
          : `?${new URLSearchParams({ redirectTo: options.redirectTo }).toString()}`;
      const url = `${engine.options.baseUrl}${operationPath('oauthAuthorize', { provider })}${query}`;
      if (options.navigate !== false) navigate(url);
      return url;
    },
    async linkAccount(provider, options = {}) {
      const { navigate: go, ...body } = options;
      const { url } = await engine.api<{ url: string }>('linkAccount', {
        params: { provider },
        body,
      });
      if (go !== false) navigate(url);
      return url;
    },
    async linkedAccounts() {
      return (await engine.api<{ accounts: LinkedAccount[] }>('listLinkedAccounts')).accounts;
    },
    async unlink(id) {
      await engine.api('unlinkAccount', { params: { id } });
    },
  };
}
