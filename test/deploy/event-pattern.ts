import { isRecord } from '../../src/domain/objects.js';

/** A pattern this matcher cannot read: the check reports it rather than guess. */
class UnsupportedPatternError extends Error {}

type Value = unknown;

function matchesNumeric(conditions: unknown[], value: Value): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const [op, bound] = [conditions[i], Number(conditions[i + 1])];
    const ok =
      (op === '=' && value === bound) ||
      (op === '<' && value < bound) ||
      (op === '<=' && value <= bound) ||
      (op === '>' && value > bound) ||
      (op === '>=' && value >= bound);
    if (!ok) return false;
  }
  return true;
}

function wildcard(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** One element of a pattern's array against one value the event has (not a missing one). */
function matchesElement(element: unknown, value: Value): boolean {
  if (!isRecord(element)) return element === value;
  const [operator, operand] = Object.entries(element)[0] ?? [];
  // A Ref or Fn:: (this stack's account, a member account parameter) is known only at deploy
  // time; the routing is judged on the rest of the pattern.
  if (operator === 'Ref' || operator?.startsWith('Fn::')) return true;
  const text = typeof value === 'string' ? value : undefined;
  switch (operator) {
    case 'prefix':
      return text !== undefined && typeof operand === 'string' && text.startsWith(operand);
    case 'suffix':
      return text !== undefined && typeof operand === 'string' && text.endsWith(operand);
    case 'equals-ignore-case':
      return (
        text !== undefined &&
        typeof operand === 'string' &&
        text.toLowerCase() === operand.toLowerCase()
      );
    case 'wildcard':
      return text !== undefined && typeof operand === 'string' && wildcard(operand).test(text);
    case 'numeric':
      return Array.isArray(operand) && matchesNumeric(operand, value);
    case 'anything-but':
      if (isRecord(operand)) return !matchesElement(operand, value);
      return !(Array.isArray(operand) ? operand : [operand]).includes(value);
    case 'exists':
      return operand === true;
    default:
      throw new UnsupportedPatternError(`pattern operator ${JSON.stringify(element)}`);
  }
}

/** A field's pattern array: any element matches the value, or any value of an array field. */
function matchesField(elements: unknown[], value: Value): boolean {
  if (value === undefined) {
    return elements.some((e) => isRecord(e) && e.exists === false);
  }
  const values = Array.isArray(value) ? value : [value];
  return elements.some((e) => values.some((v) => matchesElement(e, v)));
}

/**
 * Whether EventBridge delivers `event` to a rule with `pattern`: literals, prefix, suffix,
 * equals-ignore-case, wildcard, numeric, anything-but, exists and `$or` (a CloudFormation
 * intrinsic in a value list matches anything). Throws UnsupportedPatternError for the rest.
 */
function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isRecord(pattern)) throw new UnsupportedPatternError(`pattern ${JSON.stringify(pattern)}`);
  const fields = isRecord(event) ? event : {};
  return Object.entries(pattern).every(([key, inner]) => {
    if (key === '$or') {
      if (!Array.isArray(inner)) throw new UnsupportedPatternError('$or that is not an array');
      return inner.some((alternative) => matchesPattern(alternative, fields));
    }
    if (Array.isArray(inner)) return matchesField(inner, fields[key]);
    return isRecord(fields[key]) && matchesPattern(inner, fields[key]);
  });
}

export { matchesPattern, UnsupportedPatternError };
