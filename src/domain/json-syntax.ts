/**
 * Where and why a text is not JSON. `JSON.parse` says this unevenly: some messages give a
 * character position, others quote the text around the fault (file contents, escapes and
 * all) and give no position, so a pretty-printed file could not be pointed to by line.
 */
interface JsonSyntaxError {
  /** 1-based, as editors count. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

type Expecting = 'value' | 'value-or-]' | 'key' | 'key-or-}' | ':' | ',-or-close' | 'end';

const EXPECTED: Readonly<Record<Expecting, string>> = {
  value: 'expected a value',
  'value-or-]': 'expected a value or ]',
  key: 'expected a field name in double quotes',
  'key-or-}': 'expected a field name in double quotes or }',
  ':': 'expected :',
  ',-or-close': 'expected , or the closing bracket',
  end: 'expected the end of the file',
};

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})/y;

/**
 * The first fault in `text` as JSON, or undefined when it parses. Walks the text with an
 * explicit stack, so deeply nested input cannot overflow the call stack.
 *
 * @example jsonSyntaxError('{\n  "a": 1\n  "b": 2\n}') // { line: 3, column: 3, message: "expected , or } but found '\"'" }
 */
function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: ('[' | '{')[] = [];
  let expecting: Expecting = 'value';
  let i = 0;
  const fail = (at: number, why: string) => ({ ...lineAndColumn(text, at), message: why });
  const afterValue = (): Expecting => (stack.length === 0 ? 'end' : ',-or-close');
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
    if (i >= text.length) {
      return expecting === 'end'
        ? undefined
        : fail(i, `${expected(expecting, stack)} but the file ends`);
    }
    const c = text.charAt(i);
    const close = stack.at(-1) === '[' ? ']' : '}';
    if (
      (expecting === 'value-or-]' && c === ']') ||
      (expecting === 'key-or-}' && c === '}') ||
      (expecting === ',-or-close' && c === close)
    ) {
      stack.pop();
      i++;
      expecting = afterValue();
      continue;
    }
    if (expecting === ',-or-close' && c === ',') {
      i++;
      expecting = stack.at(-1) === '[' ? 'value' : 'key';
      continue;
    }
    if (expecting === ':' && c === ':') {
      i++;
      expecting = 'value';
      continue;
    }
    const isKey: boolean = expecting === 'key' || expecting === 'key-or-}';
    const isValue: boolean = expecting === 'value' || expecting === 'value-or-]';
    if ((isKey || isValue) && c === '"') {
      const end = stringEnd(text, i);
      if (typeof end !== 'number') return fail(end.at, end.why);
      i = end;
      expecting = isKey ? ':' : afterValue();
      continue;
    }
    if (isValue && (c === '[' || c === '{')) {
      stack.push(c);
      i++;
      expecting = c === '[' ? 'value-or-]' : 'key-or-}';
      continue;
    }
    const scalar = isValue ? scalarEnd(text, i) : undefined;
    if (scalar === undefined) {
      return fail(i, `${expected(expecting, stack)} but found ${shown(text, i)}`);
    }
    i = scalar;
    expecting = afterValue();
  }
}

/** The index after a string's closing quote, or where and why the string is broken. */
function stringEnd(text: string, start: number): number | { at: number; why: string } {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) {
      return { at: i, why: `a control character (${shown(text, i)}) inside a string; escape it` };
    }
    if (code === 0x5c) {
      ESCAPE.lastIndex = i;
      if (!ESCAPE.test(text)) return { at: i, why: 'an invalid escape inside a string' };
      i = ESCAPE.lastIndex;
      continue;
    }
    i++;
  }
  return { at: text.length, why: 'the file ends inside a string' };
}

/** The index after a number, `true`, `false` or `null` at `start`, if one is there. */
function scalarEnd(text: string, start: number): number | undefined {
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, start)) return start + word.length;
  }
  NUMBER.lastIndex = start;
  return NUMBER.test(text) ? NUMBER.lastIndex : undefined;
}

function expected(expecting: Expecting, stack: readonly ('[' | '{')[]): string {
  if (expecting !== ',-or-close') return EXPECTED[expecting];
  return `expected , or ${stack.at(-1) === '[' ? ']' : '}'}`;
}

/** One character, quoted, or its code point when it is not printable. */
function shown(text: string, at: number): string {
  const code = text.codePointAt(at) ?? 0;
  const printable = code > 0x20 && !(code >= 0x7f && code <= 0x9f);
  return printable
    ? `'${String.fromCodePoint(code)}'`
    : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function lineAndColumn(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: at - lineStart + 1 };
}

export type { JsonSyntaxError };
export { jsonSyntaxError };
