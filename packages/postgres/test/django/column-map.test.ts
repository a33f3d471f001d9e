/**
 * The column map of the Django import builds objects from input (issue 15): no key may reach
 * `Object.prototype`.
 */
import { describe, expect, it } from 'vitest';
import { resolveColumnMap } from '../../src/django/column-map.js';

const COLUMNS = ['id', 'email', 'password', 'bio'];

describe('resolveColumnMap refuses keys that would write onto a prototype', () => {
  for (const target of [
    'metadata.__proto__.x',
    'metadata.__proto__',
    'metadata.constructor.prototype.x',
    'metadata.a.prototype',
  ]) {
    it(target, () => {
      expect(() => resolveColumnMap(COLUMNS, { bio: target })).toThrow(/cannot be a metadata key/);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });
  }

  it('keeps ordinary nested paths', () => {
    const { map } = resolveColumnMap(COLUMNS, { bio: 'metadata.profile.bio' });
    expect(map.get('bio')).toBe('metadata.profile.bio');
  });
});
