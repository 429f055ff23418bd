import { describe, expect, it } from 'vitest';
import { closestName } from '../../../src/domain/config/closest-name.js';

describe('closestName', () => {
  it('suggests only close names', () => {
    expect(closestName('oracel', ['oracle', 'none'])).toBe('oracle');
    expect(closestName('xyzzy', ['oracle', 'none'])).toBeUndefined();
  });

  it('ignores case, so a capitalised key still finds its field', () => {
    expect(closestName('Ownerz', ['owners', 'version'])).toBe('owners');
  });
});
