/**
 * How long any one piece of job-controlled text may be in a notice, in UTF-16 units. Slack caps
 * its fields near these sizes already; email keeps to the same, so a 20 MB failure reason cannot
 * make a 20 MB email (SNS takes 256 KB, message and attributes together).
 */
const TEXT_LIMITS = {
  /** SageMaker names are at most 63 characters; anything longer is not a real job name. */
  jobName: 200,
  /** DescribeTrainingJob caps FailureReason at 1024; events are not bound by that. */
  failureReason: 2900,
  /** Owner names, `via` phrases, statuses, instance types, tag values. */
  short: 200,
  /** One sentence on how the notice was delivered. */
  deliveryNote: 500,
  /** Each owner candidate that was skipped, and how many of them are listed. */
  skippedEntry: 300,
  skippedCount: 10,
} as const;

// ANSI CSI (`ESC [ … letter`) and OSC (`ESC ] … BEL|ESC \`) sequences, removed whole so no
// `[31m` debris is left behind; other lone escapes fall to the control-character rule.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?/g;
// C0 and C1 controls (CR/LF included), DEL, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
/** Bidirectional overrides and isolates, which can make text read in another order. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces half of a surrogate pair with U+FFFD, so the text encodes as UTF-8 and through
 * `encodeURIComponent` (which throws a URIError on a lone surrogate).
 *
 * @example wellFormed('a\uD800b') // 'a\uFFFDb'
 */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Makes job-controlled text safe for one line of a plain-text notice: ANSI sequences and
 * bidirectional controls go, other controls (line breaks included) become spaces, lone
 * surrogates become U+FFFD, and the result is capped at `max` characters with an ellipsis. So a
 * name or reason can neither forge lines of an email nor colour or reorder a terminal.
 *
 * @example printable('job\r\nBcc: x@evil.example') // 'job  Bcc: x@evil.example'
 */
function printable(text: string, max: number = TEXT_LIMITS.short): string {
  const clean = wellFormed(text).replace(ANSI, '').replace(BIDI, '').replace(CONTROL, ' ');
  return cap(clean, max);
}

/**
 * Like `printable`, but keeps line breaks (as `\n`) for text whose lines mean something, such as
 * a failure reason with a traceback; at most `maxLines` lines are kept.
 *
 * @example printableLines('Error\r\n  at x', 1000) // ['Error', '  at x']
 */
function printableLines(text: string, max: number, maxLines = 40): string[] {
  const lines = cap(wellFormed(text), max).split(/\r\n|[\r\n\u2028\u2029]/);
  const kept = lines.slice(0, maxLines).map((l) => printable(l, max));
  if (lines.length > maxLines) kept.push(`… (${lines.length - maxLines} more lines)`);
  return kept;
}

/** Caps `text` at `max` UTF-16 units, ending in `…`, never splitting a surrogate pair. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export { cap, printable, printableLines, TEXT_LIMITS, wellFormed };
