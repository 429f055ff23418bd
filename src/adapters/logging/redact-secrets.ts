/**
 * Last line of defence for log lines: the adapters keep secrets out of their messages, and this
 * masks anything that still looks like one (a Slack token, or a webhook URL whose path is its
 * secret) in a string about to be written.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\bxox(?:[a-z]|e\.xox[a-z])-[\w-]+/g, 'xox…[redacted]'],
  [/\bxapp-[\w-]+/g, 'xapp-…[redacted]'],
  [/\bhooks\.slack(?:-gov)?\.com\/[^\s"'<>]*/gi, 'hooks.slack.com/…[redacted]'],
  [/\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[^\s"'<>]*/g, '/services/…[redacted]'],
];

/** `text` with every secret-looking part replaced by a marker. */
function redactSecrets(text: string): string {
  let result = text;
  for (const [pattern, marker] of SECRET_PATTERNS) result = result.replace(pattern, marker);
  return result;
}

/** A JSON replacer for Powertools' Logger that redacts every string it serialises. */
function redactingReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redactSecrets(value) : value;
}

export { redactingReplacer, redactSecrets };
