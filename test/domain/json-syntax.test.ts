import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from '../../src/domain/json-syntax.js';

/** Whether JSON.parse accepts the text: the oracle the checker must agree with. */
function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** JSON texts, pretty or compact, some with one character removed, replaced or inserted. */
const nearlyJson = fc
  .tuple(
    fc.jsonValue(),
    fc.boolean(),
    fc.nat(),
    fc.constantFrom('drop', 'replace', 'insert', 'keep'),
    fc.constantFrom(',', ':', '"', '}', ']', '{', '[', '\\', 'x', '\n', '\u0001', '0', '-', ' ')
  )
  .map(([value, pretty, at, edit, c]) => {
    const text = JSON.stringify(value, null, pretty ? 2 : undefined) ?? 'null';
    const i = text.length === 0 ? 0 : at % text.length;
    if (edit === 'drop') return text.slice(0, i) + text.slice(i + 1);
    if (edit === 'replace') return text.slice(0, i) + c + text.slice(i + 1);
    if (edit === 'insert') return text.slice(0, i) + c + text.slice(i);
    return text;
  });

describe('jsonSyntaxError', () => {
  it('agrees with JSON.parse on what is JSON, and places every fault inside the text', () => {
    let valid = 0;
    fc.assert(
      fc.property(nearlyJson, (text) => {
        const fault = jsonSyntaxError(text);
        expect(fault === undefined, JSON.stringify(text)).toBe(parses(text));
        if (parses(text)) valid += 1;
        if (fault === undefined) return;
        const lines = text.split('\n');
        expect(fault.line).toBeGreaterThanOrEqual(1);
        expect(fault.line).toBeLessThanOrEqual(lines.length);
        expect(fault.column).toBeGreaterThanOrEqual(1);
        expect(fault.column).toBeLessThanOrEqual((lines[fault.line - 1] ?? '').length + 1);
      }),
      { numRuns: 2000 }
    );
    // The property must see valid texts too, or agreement would only be tested on failures.
    expect(valid).toBeGreaterThan(100);
  });

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected , or } but found '\"'"],
    ['{\n  "a": [1, 2\n', 3, 1, 'expected , or ] but the file ends'],
    ['[1, 2,]', 1, 7, "expected a value but found ']'"],
    ['{"a": 1,}', 1, 9, "expected a field name in double quotes but found '}'"],
    ['{"a": "x\ty"}', 1, 9, 'a control character (U+0009) inside a string; escape it'],
    ['"\\q"', 1, 2, 'an invalid escape inside a string'],
    ['{"a": "open', 1, 12, 'the file ends inside a string'],
    ['[1] [2]', 1, 5, "expected the end of the file but found '['"],
    ['', 1, 1, 'expected a value but the file ends'],
  ])('places the fault in %j at line %i, column %i', (text, line, column, message) => {
    // Act & Assess
    expect(jsonSyntaxError(text)).toEqual({ line, column, message });
  });

  it('checks nesting far deeper than the call stack allows', () => {
    // Prepare
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;

    // Act & Assess
    expect(jsonSyntaxError(deep)).toBeUndefined();
    expect(jsonSyntaxError(deep.slice(0, -1))).toMatchObject({ line: 1, column: 400_000 });
  });
});
