import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTags } from '../../../src/domain/event/tags.js';

describe('normalizeTags', () => {
  it('reads a list of {Key, Value}, as the schema registry describes Tags', () => {
    // Prepare
    const list = [
      { Key: 'warden:owner', Value: 'alice' },
      { Key: 'project', Value: 'resnet' },
    ];

    // Act
    const tags = normalizeTags(list);

    // Assess
    expect(tags).toEqual({ 'warden:owner': 'alice', project: 'resnet' });
  });

  it('reads a {key: value} map, as the AWS sample event carries Tags', () => {
    expect(normalizeTags({ owner: 'alice@example.com', team: 'vision' })).toEqual({
      owner: 'alice@example.com',
      team: 'vision',
    });
  });

  it('returns an empty object when the list or map is empty', () => {
    expect(normalizeTags([])).toEqual({});
    expect(normalizeTags({})).toEqual({});
  });

  it('keeps an empty tag value, which SageMaker allows', () => {
    expect(normalizeTags([{ Key: 'scratch', Value: '' }])).toEqual({ scratch: '' });
  });

  it('lets the later entry win when a list repeats a key', () => {
    expect(
      normalizeTags([
        { Key: 'owner', Value: 'alice' },
        { Key: 'owner', Value: 'bob' },
      ])
    ).toEqual({ owner: 'bob' });
  });

  it('drops list entries that are not {Key, Value} pairs of strings', () => {
    // Prepare
    const list = [
      { Key: 'owner', Value: 'alice' },
      'owner=bob',
      null,
      ['owner', 'carol'],
      { Key: 'count', Value: 3 },
      { Key: 7, Value: 'seven' },
      { Key: '', Value: 'nameless' },
      { key: 'lower', value: 'case' },
      { Key: 'missing-value' },
    ];

    // Act
    const tags = normalizeTags(list);

    // Assess
    expect(tags).toEqual({ owner: 'alice' });
  });

  it('keeps a tag named __proto__ as a tag, from a list and from a parsed map', () => {
    const fromList = normalizeTags([{ Key: '__proto__', Value: 'x' }]);
    const fromMap = normalizeTags(JSON.parse('{"__proto__":"x","constructor":"y"}'));

    for (const tags of [fromList, fromMap]) {
      expect(Object.hasOwn(tags ?? {}, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
      expect(JSON.stringify(tags)).toContain('"__proto__":"x"');
    }
    expect(fromMap?.constructor).toBe('y');
  });

  it('drops map entries whose value is not a string or whose key is empty', () => {
    expect(
      normalizeTags({ owner: 'alice', count: 3, nested: { a: 'b' }, '': 'x', off: null })
    ).toEqual({ owner: 'alice' });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'owner=alice'],
    ['a number', 42],
    ['a boolean', false],
  ])('returns undefined when given %s, so the caller falls back to ListTags', (_label, value) => {
    expect(normalizeTags(value)).toBeUndefined();
  });

  it('never throws and yields only string values for any input', () => {
    // Real tag lists and maps are mixed in, so the property also runs the path that keeps tags;
    // a good share of runs must come back with at least one.
    const tag = fc.record({ Key: fc.string({ minLength: 1 }), Value: fc.string() });
    const input = fc.oneof(
      fc.array(fc.oneof(tag, fc.anything()), { minLength: 1 }),
      fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.anything()), {
        minKeys: 1,
      }),
      fc.anything()
    );
    const numRuns = 300;
    let kept = 0;
    fc.assert(
      fc.property(input, (value) => {
        const tags = normalizeTags(value);
        if (tags === undefined) return;
        if (Object.keys(tags).length > 0) kept += 1;
        for (const [key, tagValue] of Object.entries(tags)) {
          expect(key).not.toBe('');
          expect(typeof tagValue).toBe('string');
        }
      }),
      { numRuns }
    );
    expect(kept / numRuns, `${kept} of ${numRuns} runs kept a tag`).toBeGreaterThanOrEqual(0.25);
  });
});
