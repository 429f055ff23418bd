import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPoolEmail } from '../../../src/domain/notice/render-pool-email.js';
import { MINUTE, poolNoticeFor } from '../../helpers/domain-pool-notices.js';
import { T0 } from '../../helpers/factories.js';

const KINDS = ['extended', 'shrunk', 'released', 'release-warning'] as const;
const NAME_63 = 'resnet50-imagenet-sweep-lr-3e-4-bs-256-warmup-5-cosine-seed-042';
const HOSTILE = '<!channel> <http://x|y> a\u0000b\u001b[31mc\r\nSubject: spoof ```code```';

/** What SNS accepts as an email subject: under 100 printable ASCII characters, one line. */
function expectValidSubject(subject: string): void {
  expect(subject.length).toBeLessThanOrEqual(99);
  expect(subject).toMatch(/^[\x20-\x7E]*$/);
}

describe('renderPoolEmail', () => {
  it('renders an extension as plain text, with both expiries in the owner’s zone and the extra cost', () => {
    // Prepare
    const notice = poolNoticeFor({ kind: 'extended', instanceCount: 2 });

    // Act
    const email = renderPoolEmail(notice, 'alice@example.com');

    // Assess
    expect(email.to).toBe('alice@example.com');
    expect(email.subject).toBe('Pool Warden: Warm pool of resnet-sweep-017 extended to 12:30 CET');
    expect(
      email.text
    ).toBe(`Pool Warden extended the warm pool of resnet-sweep-017 to Thu 26 Nov, 12:30 CET.

Instances:     2 × ml.g5.2xlarge
Was to expire: Thu 26 Nov, 11:30 CET
Now expires:   Thu 26 Nov, 12:30 CET (1h 00m later)
Extra cost:    up to $3.03 (1h 00m more retained at $1.515/h × 2), if nobody reuses the pool
Reason:        A matching job usually starts within 40 minutes on weekdays.
Rule:          vision-adaptive
Owner:         Alice Ng (via tag warden:owner)

What this means:
  - A matching job started before Thu 26 Nov, 12:30 CET takes the pool.

Open in the SageMaker console: ${notice.consoleUrl}

Prices are illustrative list prices for ml.g5.2xlarge, not a quote; admins can set real ones under prices: in the Pool Warden config.

--
Pool Warden sent this because you own resnet-sweep-017 (tag warden:owner).
`);
  });

  it('renders a shrink with the time removed and the dollars saved', () => {
    // Act
    const email = renderPoolEmail(poolNoticeFor({ kind: 'shrunk' }), 'alice@example.com');

    // Assess
    expect(email.subject).toBe('Pool Warden: Warm pool of resnet-sweep-017 shortened to 11:10 CET');
    expect(email.text).toContain('Now expires:   Thu 26 Nov, 11:10 CET (20m 00s sooner)\n');
    expect(email.text).toContain(
      'Saves:         up to $0.50 (20m 00s less retained at $1.515/h)\n'
    );
  });

  it('renders a release with the release time and says the next job starts cold', () => {
    // Act
    const email = renderPoolEmail(poolNoticeFor({ kind: 'released' }), 'alice@example.com');

    // Assess
    expect(email.subject).toBe('Pool Warden: Warm pool of resnet-sweep-017 released');
    expect(email.text.split('\n')[0]).toBe(
      'Pool Warden released the warm pool of resnet-sweep-017 at Thu 26 Nov, 11:05 CET.'
    );
    expect(email.text).toContain('Released:      Thu 26 Nov, 11:05 CET\n');
    expect(email.text).toContain(
      'Saves:         up to $0.63 (25m 00s less retained at $1.515/h)\n'
    );
    expect(email.text).toContain('  - Your next matching job starts cold');
  });

  it('warns of a release with its time, the time left, why, and what the owner can do', () => {
    // Act
    const email = renderPoolEmail(poolNoticeFor({ kind: 'release-warning' }), 'alice@example.com');

    // Assess
    expect(email.subject).toBe(
      'Pool Warden: Warm pool of resnet-sweep-017 will be released at 11:20 CET'
    );
    expect(email.text).toContain(`Instances:  1 × ml.g5.2xlarge
Expires:    Thu 26 Nov, 11:30 CET
Release at: Thu 26 Nov, 11:20 CET (in 15m 00s)
Would save: up to $0.25 (10m 00s less retained at $1.515/h)
Reason:     A matching job usually starts within 40 minutes on weekdays.
Rule:       vision-adaptive
`);
    expect(email.text).toContain(`What you can do:
  - To keep the pool, start a matching job before Thu 26 Nov, 11:20 CET (same role, instance type and count, volume and network settings): it takes the pool, and nothing is released.
  - To keep it longer without a job, ask a Pool Warden admin.
`);
    expect(email.text).not.toMatch(/https?:\/\/(?!us-east-1\.console\.aws\.amazon\.com)/);
  });

  it('gives the times in the owner’s own time zone', () => {
    // Act
    const email = renderPoolEmail(
      poolNoticeFor({ kind: 'release-warning', owner: { timeZone: 'America/New_York' } }),
      'alice@example.com'
    );

    // Assess
    expect(email.subject).toBe(
      'Pool Warden: Warm pool of resnet-sweep-017 will be released at 05:20 EST'
    );
    expect(email.text).toContain('Release at: Thu 26 Nov, 05:20 EST (in 15m 00s)');
  });

  it('names the day in the subject when the new expiry falls on another local day', () => {
    // Prepare: sent 23:50 CET, extended past midnight
    const notice = poolNoticeFor({
      kind: 'extended',
      now: T0 + 12 * 60 * MINUTE + 50 * MINUTE,
      previousExpiry: T0 + 13 * 60 * MINUTE,
      newExpiry: T0 + 14 * 60 * MINUTE,
    });

    // Act
    const email = renderPoolEmail(notice, 'alice@example.com');

    // Assess
    expect(email.subject).toBe(
      'Pool Warden: Warm pool of resnet-sweep-017 extended to Fri 01:00 CET'
    );
  });

  it('says "would" and that nothing changed in a dry run', () => {
    // Act
    const email = renderPoolEmail(
      poolNoticeFor({ kind: 'released', dryRun: true }),
      'alice@example.com'
    );

    // Assess
    expect(email.subject).toBe(
      'Pool Warden: Dry run: warm pool of resnet-sweep-017 would be released'
    );
    expect(email.text).toMatch(
      /^Dry run: Pool Warden would have released the warm pool of resnet-sweep-017 at Thu 26 Nov, 11:05 CET; nothing was changed\.\n/
    );
    expect(email.text).toContain('Would release: Thu 26 Nov, 11:05 CET');
    expect(email.text).toContain('Would save:    up to $0.63');
    expect(email.text).toContain('Dry run: nothing was changed.');
    expect(email.text).not.toContain('starts cold');
  });

  it('says the cost is unknown, and leaves the price note out, without a price', () => {
    // Act
    const email = renderPoolEmail(poolNoticeFor({ price: null }), 'alice@example.com');

    // Assess
    expect(email.text).toContain(
      'Extra cost:    unknown (no price for ml.g5.2xlarge; add it under prices: in the config)'
    );
    expect(email.text).not.toContain('illustrative');
  });

  it('signs as the fallback contact when nothing named an owner', () => {
    // Act
    const email = renderPoolEmail(
      poolNoticeFor({ owner: { via: 'fallback contact' } }),
      'ops@example.com'
    );

    // Assess
    expect(email.text).toContain(
      'Pool Warden sent this to you as the fallback contact: nothing named an owner for resnet-sweep-017.'
    );
  });

  describe('subject', () => {
    it('keeps the time and cuts the job name for a 63-character name, in ASCII within 99 characters', () => {
      for (const kind of KINDS) {
        for (const dryRun of [false, true]) {
          // Act
          const { subject } = renderPoolEmail(
            poolNoticeFor({ kind, dryRun, jobName: NAME_63 }),
            'alice@example.com'
          );

          // Assess
          expectValidSubject(subject);
          expect(subject).toContain('resnet50-imagenet');
          if (kind !== 'released') expect(subject).toMatch(/ 11:\d\d CET$| 12:30 CET$/);
        }
      }
      expect(
        renderPoolEmail(
          poolNoticeFor({ kind: 'release-warning', jobName: NAME_63 }),
          'alice@example.com'
        ).subject
      ).toBe(
        'Pool Warden: Warm pool of resnet50-imagenet-sweep-lr-3e-4-bs-256-w... will be released at 11:20 CET'
      );
    });

    it('is ASCII within 99 characters for any job name and time zone', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.constantFrom(...KINDS),
          fc.boolean(),
          fc.constantFrom('Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham'),
          (jobName, kind, dryRun, timeZone) => {
            const email = renderPoolEmail(
              poolNoticeFor({ kind, dryRun, jobName, owner: { timeZone } }),
              'alice@example.com'
            );
            expectValidSubject(email.subject);
          }
        ),
        { numRuns: 100 }
      );
    });
  });

  describe('hostile text', () => {
    it('turns control characters in the job name and reason into spaces, so no line is forged', () => {
      // Act
      const email = renderPoolEmail(
        poolNoticeFor({ jobName: HOSTILE, reason: `because\r\nRule: fake ${HOSTILE}` }),
        'alice@example.com'
      );

      // Assess
      expectValidSubject(email.subject);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
      expect(email.text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/);
      expect(email.text).not.toMatch(/^Subject:/m);
      expect(email.text.match(/^Rule:/gm)).toHaveLength(1);
      expect(email.text).toContain('<!channel> <http://x|y> a b');
    });
  });
});
