import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_EMAIL_TEXT_BYTES,
  renderEmail,
  utf8Bytes,
} from '../../../src/domain/notice/render-email.js';
import { CONTROL_CHARACTERS, HOSTILE_TEXT, noticeFor } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';

/** What SNS accepts as an email subject: under 100 printable ASCII characters, one line. */
function expectValidSubject(subject: string): void {
  expect(subject.length).toBeLessThanOrEqual(99);
  expect(subject).toMatch(/^[\x20-\x7E]*$/);
  expect(subject).not.toMatch(/[\r\n]/);
}

const NAME_63 = 'resnet50-imagenet-sweep-lr-3e-4-bs-256-warmup-5-cosine-seed-042';

describe('renderEmail', () => {
  it('addresses the message to the given address', () => {
    expect(renderEmail(noticeFor(), 'alice@example.com').to).toBe('alice@example.com');
  });

  it('renders the whole notice as plain text', () => {
    // Prepare
    const notice = noticeFor({
      status: 'Failed',
      job: { failureReason: 'AlgorithmError: CUDA out of memory', instanceCount: 2 },
    });

    // Act
    const email = renderEmail(notice, 'alice@example.com');

    // Assess
    expect(email.text).toBe(`resnet-sweep-017 failed after 1h 00m.

Status:         Failed
Duration:       1h 00m
Ran:            Thu 26 Nov, 10:00 to 11:00 CET
Instances:      2 × ml.g5.2xlarge
Billable time:  1h 00m × 2 instances = $3.03 at $1.515/h
Failure reason: AlgorithmError: CUDA out of memory
Warm pool:      Available until Thu 26 Nov, 11:30 CET (20m 00s left).
At risk:        $1.01 if nobody reuses the pool before it expires
Owner:          Alice Ng (via tag warden:owner)

Open in the SageMaker console: ${notice.consoleUrl}
Read its logs in CloudWatch: ${notice.logsUrl}

Prices are illustrative list prices for ml.g5.2xlarge, not a quote; admins can set real ones under prices: in the Pool Warden config.

--
Pool Warden sent this because you own resnet-sweep-017 (tag warden:owner).
`);
  });

  it('gives the pool expiry in the owner’s own time zone', () => {
    // Prepare
    const inBerlin = noticeFor({ owner: { timeZone: 'Europe/Berlin' } });
    const inNewYork = noticeFor({ owner: { timeZone: 'America/New_York' } });

    // Act
    const berlin = renderEmail(inBerlin, 'alice@example.com');
    const newYork = renderEmail(inNewYork, 'alice@example.com');

    // Assess
    expect(berlin.text).toContain('Available until Thu 26 Nov, 11:30 CET');
    expect(newYork.text).toContain('Available until Thu 26 Nov, 05:30 EST');
    expect(berlin.subject).toBe(
      'Pool Warden: Completed, warm pool until 11:30 CET - resnet-sweep-017'
    );
  });

  it('names the day in the subject when the pool expires on another day for the owner', () => {
    // Prepare: 23:45 on Thursday in Kiritimati (UTC+14); the pool expires at 00:30 on Friday.
    const late = noticeFor({ owner: { timeZone: 'Pacific/Kiritimati' }, now: T0 - 900_000 });

    // Act
    const email = renderEmail(late, 'alice@example.com');

    // Assess
    expect(email.subject).toBe(
      'Pool Warden: Completed, warm pool until Fri 00:30 UTC+14:00 - resnet-sweep-017'
    );
  });

  it('says that Pool Warden manages the pool, so a change of expiry soon after is expected', () => {
    // Act
    const managed = renderEmail({ ...noticeFor(), managedByRule: 'vision-gpu' }, 'a@example.com');
    const unmanaged = renderEmail(noticeFor(), 'a@example.com');

    // Assess
    expect(managed.text).toContain(
      'Managed by:    Pool Warden (rule vision-gpu): it may change this expiry, and tells you if it does\n'
    );
    expect(unmanaged.text).not.toContain('Managed by');
  });

  it('leaves the price note out when the price came from the config', () => {
    const email = renderEmail(
      noticeFor({ price: { usdPerHour: 1.2, source: 'config' } }),
      'alice@example.com'
    );

    expect(email.text).not.toContain('illustrative');
    expect(email.text).toContain('Billable time: 1h 00m = $1.20 at $1.20/h');
  });

  it('lists the owner candidates that were skipped', () => {
    // Prepare
    const notice = noticeFor({
      owner: {
        via: 'fallback contact',
        skipped: [
          'tag warden:owner "alcie" is not a directory id, an email address or a Slack member id',
        ],
      },
    });

    // Act
    const email = renderEmail(notice, 'ml-platform@example.com');

    // Assess
    expect(email.text).toContain(
      'Owner candidates tried first:\n  - tag warden:owner "alcie" is not a directory id, an email address or a Slack member id\n'
    );
  });

  it('tells the fallback contact why they got a notice for a job they do not own', () => {
    const notice = noticeFor({ owner: { via: 'fallback contact' } });

    const email = renderEmail(notice, 'ml-platform@example.com');

    expect(email.text).toContain(
      'Pool Warden sent this to you as the fallback contact: nothing named an owner for resnet-sweep-017.'
    );
    expect(email.text).not.toContain('because you own');
  });

  it('leaves the pool expiry out of the subject when the pool is not available', () => {
    // Act
    const email = renderEmail(
      noticeFor({ status: 'Stopped', job: { warmPool: { status: 'Terminated' } } }),
      'alice@example.com'
    );

    // Assess
    expect(email.subject).toBe('Pool Warden: Stopped - resnet-sweep-017');
    expect(email.text).toContain('Warm pool:     Terminated.');
  });

  describe('subject', () => {
    it('fits SNS limits for a 63-character job name and a non-ASCII owner', () => {
      // Prepare
      const notice = noticeFor({
        job: { name: NAME_63 },
        owner: { displayName: 'Zoë Škoda-Øberg 🚀', timeZone: 'Asia/Kolkata' },
      });

      // Act
      const email = renderEmail(notice, 'zoe@example.com');

      // Assess
      expectValidSubject(email.subject);
      expect(email.subject).toBe(
        'Pool Warden: Completed, warm pool until 16:00 UTC+05:30 - resnet50-imagenet-sweep-lr-3e-4-bs-256...'
      );
      expect(email.text).toContain('Zoë Škoda-Øberg 🚀');
    });

    it('replaces non-ASCII characters and line breaks in the job name', () => {
      // Act
      const email = renderEmail(
        noticeFor({ job: { name: 'größe\r\nBcc: x@evil.example' } }),
        'a@example.com'
      );

      // Assess
      expectValidSubject(email.subject);
      expect(email.subject).toContain('gr??e  Bcc: x@evil.example');
    });

    it('fits SNS limits whatever the job name and time zone', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.constantFrom('UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu'),
          (name, timeZone) => {
            const email = renderEmail(
              noticeFor({ job: { name }, owner: { timeZone } }),
              'a@example.com'
            );
            expectValidSubject(email.subject);
          }
        ),
        { numRuns: 300 }
      );
    });
  });

  describe('size (issue 7, case 10)', () => {
    it('keeps a 20 MB failure reason, name and owner far under the SNS limit', () => {
      // Prepare
      const huge = 'é'.repeat(20 * 1024 * 1024);
      const notice = noticeFor({
        status: 'Failed',
        job: { failureReason: huge, name: huge, secondaryStatus: huge, instanceType: huge },
        owner: { displayName: huge, via: huge, skipped: Array.from({ length: 500 }, () => huge) },
      });

      // Act
      const email = renderEmail(notice, 'alice@example.com');

      // Assess
      expect(utf8Bytes(email.text)).toBeLessThanOrEqual(MAX_EMAIL_TEXT_BYTES);
      expect(email.text).toContain('  - and 490 more');
      expect(email.text).toContain('…');
    });

    it('counts UTF-8 bytes as SNS does', () => {
      expect(utf8Bytes('aé€😀')).toBe(1 + 2 + 3 + 4);
    });
  });

  describe('job-controlled text (issue 7, case 11)', () => {
    it('lets no control character, CR/LF or ANSI escape from the event into the body', () => {
      // Prepare
      const notice = noticeFor({
        status: 'Failed',
        job: {
          name: 'job\u001b[2J\r\nFrom: ceo@example.com',
          failureReason: 'boom\u001b[31m\r\n--\r\nPool Warden sent this\u0007',
          secondaryStatus: 'Failed\u0000',
          warmPool: { status: 'Reused', reusedByJob: 'other\u001b]8;;http://evil\u0007x' },
        },
        owner: { displayName: 'Alice\u202Eevil', skipped: ['tag\rx'] },
      });

      // Act
      const email = renderEmail(notice, 'alice@example.com');

      // Assess
      for (const line of email.text.split('\n')) expect(line).not.toMatch(CONTROL_CHARACTERS);
      expect(email.text).not.toMatch(/^From:/m);
      expect(email.text.match(/^--$/gm)).toHaveLength(1);
      expect(email.text).toContain(
        'Failure reason: boom\n                --\n                Pool Warden sent this \n'
      );
      expect(email.text).toContain('Reused by otherx.');
    });
  });

  describe('what is new in a notice (issue 7, case 16)', () => {
    it('links a failed job’s CloudWatch logs, and only a failed job’s', () => {
      // Act
      const failed = renderEmail(noticeFor({ status: 'Failed' }), 'a@example.com');
      const completed = renderEmail(noticeFor(), 'a@example.com');

      // Assess
      expect(failed.text).toContain(
        'Read its logs in CloudWatch: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Dresnet-sweep-017\n'
      );
      expect(completed.text).not.toContain('CloudWatch');
    });

    it('writes the zone offset in ASCII in the subject', () => {
      const email = renderEmail(
        noticeFor({ owner: { timeZone: 'America/Chicago' } }),
        'a@example.com'
      );

      expect(email.subject).toBe(
        'Pool Warden: Completed, warm pool until 04:30 UTC-06:00 - resnet-sweep-017'
      );
      expect(email.text).toContain('Available until Thu 26 Nov, 04:30 UTC\u221206:00');
    });

    it('puts the delivery note first and says when the job’s details are gone', () => {
      // Prepare
      const notice = {
        ...noticeFor(),
        deliveryNote: 'Slack could not be reached (invalid_auth), so this came by email.',
        detailsUnavailable: true as const,
      };

      // Act
      const email = renderEmail(notice, 'alice@example.com');

      // Assess
      expect(
        email.text.startsWith(
          "Slack could not be reached (invalid_auth), so this came by email.\n\nresnet-sweep-017 completed after 1h 00m.\n\nThis job's details are no longer available from SageMaker (its name was reused or it was deleted); this notice shows only what the event said.\n\nStatus:"
        )
      ).toBe(true);
    });
  });

  it('renders every hostile string without a control character in any line', () => {
    for (const text of HOSTILE_TEXT) {
      const email = renderEmail(
        noticeFor({ status: 'Failed', job: { name: text, failureReason: text } }),
        'a@example.com'
      );
      for (const line of email.text.split('\n')) expect(line).not.toMatch(CONTROL_CHARACTERS);
    }
  });
});
