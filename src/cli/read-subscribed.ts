import { readFile } from 'node:fs/promises';
import { EMAIL } from '../domain/owner/owner-ref.js';
import type { EmailReach } from '../domain/ports/senders.js';
import { printable } from '../domain/printable.js';
import { fsReason } from './output-dir.js';
import { UsageError } from './usage-error.js';

/**
 * The email topic's confirmed subscriptions, for `warden replay --subscribed FILE`: one address
 * per line, `#` starts a comment. Every bad line is named at once; addresses match
 * case-insensitively, as SNS filter policies are written by hand in any case.
 */
async function readSubscribed(flag: string, file: string): Promise<EmailReach> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${fsReason(error)}`);
  }
  // A binary file would be named line by line, in replacement characters.
  if (text.includes('\u0000') || text.includes('\uFFFD')) {
    throw new UsageError(`${flag} ${file}: not a UTF-8 text file of one address per line`);
  }
  const addresses = new Set<string>();
  const issues: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (EMAIL.test(line)) addresses.add(line.toLowerCase());
    else issues.push(`${flag} ${file}:${i + 1}: "${printable(line)}" is not an email address`);
  }
  if (issues.length > 0) throw new UsageError(issues.join('\n'));
  return { canReach: async (address) => addresses.has(address.toLowerCase()) };
}

export { readSubscribed };
