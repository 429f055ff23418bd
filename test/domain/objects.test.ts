import { describe, expect, it } from 'vitest';
import { dropUndefined, isRecord } from '../../src/domain/objects.js';

describe('isRecord', () => {
  it('accepts plain objects', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'x'],
    ['a number', 1],
    ['undefined', undefined],
  ])('rejects %s', (_label, value) => {
    expect(isRecord(value)).toBe(false);
  });
});

describe('dropUndefined', () => {
  it('removes undefined entries and keeps falsy ones', () => {
    // Act
    const result = dropUndefined({ a: undefined, b: 0, c: '', d: null, e: false });

    // Assess
    expect(Object.keys(result)).toEqual(['b', 'c', 'd', 'e']);
  });
});
