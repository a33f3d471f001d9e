import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeStorageConformance } from '../../src/testing/conformance/index.js';
import { kvStorage, mapKeyValue } from './example-kv-adapter.js';

describeStorageConformance('example key-value adapter', () => kvStorage(mapKeyValue()));

describe('docs/custom-storage.md', () => {
  it('quotes the example adapter exactly as it is tested', () => {
    const code = readFileSync(new URL('./example-kv-adapter.ts', import.meta.url), 'utf8');
    const doc = readFileSync(
      new URL('../../../../docs/custom-storage.md', import.meta.url),
      'utf8',
    );
    expect(doc).toContain(`\`\`\`ts\n${code}\`\`\``);
  });
});
