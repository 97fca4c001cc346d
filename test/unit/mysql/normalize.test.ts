import { describe, expect, it } from 'vitest';
import { normalizeName, normalizeValue } from '../../../src/mysql/normalize.js';

describe('variable spelling', () => {
  it('folds dashes and case in names', () => {
    expect(normalizeName('Tmp-Table-Size')).toBe('tmp_table_size');
  });
  it.each([
    ['512M', '536870912'], ['16k', '16384'], ['1G', '1073741824'], ['ON', '1'], ['off', '0'],
    ["'utf8mb4'", 'utf8mb4'], ['2', '2'], ['ROW', 'ROW'],
  ])('%s -> %s', (raw, want) => {
    expect(normalizeValue(raw)).toBe(want);
  });
});
