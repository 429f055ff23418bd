import * as z from 'zod/mini';
import { parseDuration } from '../duration.js';
import { EMAIL, SLACK_MEMBER } from '../owner/owner-ref.js';
import { MAX_USD_PER_HOUR } from '../pricing/price-table.js';
import { accountsSection } from './accounts-schema.js';
import { poolRules, stewardSettings, timeZone } from './policy-schema.js';
import { isTimeZone } from './policy-text.js';

// Descriptions live in the schema (not in comments) so the generated JSON Schema carries them
// into the admin's editor as hover text.

const ownerId = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(256));
const secretName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be a name of letters, digits, _ . -'));

const directoryEntry = z.strictObject({
  name: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(80),
        z.describe('How notices address this person or team.')
      )
  ),
  email: z.optional(
    z
      .string()
      .check(z.regex(EMAIL, 'is not an email address'), z.describe('Address for email notices.'))
  ),
  slack: z.optional(
    z
      .string()
      .check(
        z.regex(SLACK_MEMBER, 'is not a Slack member id (U… or W…)'),
        z.describe('Slack member id; notices arrive as a DM from the Pool Warden bot.')
      )
  ),
  slackWebhook: z.optional(
    secretName.check(
      z.describe('Name of an incoming webhook (a channel) under "webhooks" in the Slack secret.')
    )
  ),
  timeZone: z.optional(timeZone.check(z.describe('IANA time zone for times in notices.'))),
  team: z.optional(
    ownerId.check(
      z.describe('Directory id of the team; fills in channels and time zone the entry lacks.')
    )
  ),
});

// C0 and C1 controls (CR and LF among them), DEL, and the Unicode line separators: in a From
// header any of them could end the header and start another.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

/** `Name <address>` or a bare address. */
const MAIL_FROM = /^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/** A From header value: one line, one address (the shape is checked once it is one line). */
const mailFrom = z.string().check(
  z.refine(
    (text) => !CONTROL.test(text),
    'must not contain control characters (CR, LF, tab…): they would add mail headers'
  ),
  z.refine(
    (text) => CONTROL.test(text) || MAIL_FROM.test(text),
    'is not a mail address (Name <name@example.com> or name@example.com)'
  ),
  z.maxLength(320)
);

const emailTransport = z
  .strictObject({
    transport: z
      ._default(z.enum(['sns', 'ses']), 'sns')
      .check(
        z.describe(
          'sns: one SNS topic, each person confirms a subscription; ses: Amazon SES SendEmail ' +
            'from a verified identity (emailFrom), nobody needs to subscribe.'
        )
      ),
    identityArn: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^\s]+$/,
            'is not an SES identity ARN (arn:aws:ses:REGION:ACCOUNT:identity/example.com)'
          ),
          z.describe(
            'SES only: the verified identity to send as; its region is where SES is called. ' +
              "Default: the identity of emailFrom in the function's region."
          )
        )
    ),
    configurationSet: z.optional(
      z
        .string()
        .check(
          z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a name of letters, digits, _ and -'),
          z.describe('SES only: configuration set for bounce and complaint events.')
        )
    ),
  })
  .check(z.describe('How notices are emailed. Default: transport sns.'));

const noticeDefaults = {
  emailFrom: 'Pool Warden <pool-warden@localhost>',
  slackDmByEmail: false,
  describeAttempts: 4,
};

// The `actions:` section: signed links and Slack buttons that act on a pool from its notice.
const HTTP_LOOPBACK = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:\/|$)/;

const actionsSection = z.strictObject({
  baseUrl: z.optional(
    z.string().check(
      z.maxLength(200),
      z.refine(
        (url) => /^https:\/\/[^\s/?#@]+(?:\/[^\s?#]*)?$/.test(url) || HTTP_LOOPBACK.test(url),
        'is not an https URL without query or fragment (e.g. https://abc123.execute-api.us-east-1.amazonaws.com)'
      ),
      z.describe(
        "The HTTP API's URL: links are <baseUrl>/a/<token>. Absent: notices carry no actions."
      )
    )
  ),
  maxLinkLifetime: z._default(
    z.string().check(
      z.refine((text) => {
        const ms = parseDuration(text);
        return ms !== undefined && ms >= 60_000 && ms <= 7 * 24 * 60 * 60_000;
      }, 'is not a duration from 1m to 7d (e.g. 24h)'),
      z.describe('No link or button works longer than this (it also ends with the pool).')
    ),
    '24h'
  ),
  admins: z
    ._default(z.array(ownerId), [])
    .check(
      z.describe('Directory ids of people who may act on any pool from Slack (besides owners).')
    ),
});

const wardenConfig = z.strictObject({
  version: z.literal(1),
  defaults: z._default(
    z.strictObject({
      timeZone: z._default(timeZone, 'UTC').check(z.describe('Time zone for owners without one.')),
    }),
    { timeZone: 'UTC' }
  ),
  owners: z.strictObject({
    tagKeys: z
      ._default(z.array(z.string().check(z.minLength(1), z.maxLength(128))), [])
      .check(z.describe('Tag keys naming the owner, read in order after warden:owner.')),
    roles: z
      ._default(
        z.record(
          z
            .string()
            .check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\//, 'must be an IAM role ARN')),
          ownerId
        ),
        {}
      )
      .check(z.describe('Execution role ARN to owner or team, for jobs without an owner tag.')),
    fallback: ownerId.check(
      z.describe(
        'Who hears about a job when nothing else names an owner. Required, so no notice is lost.'
      )
    ),
  }),
  directory: z
    ._default(z.record(ownerId, directoryEntry), {})
    .check(z.describe('People and teams by id: how to reach them and their time zone.')),
  prices: z
    ._default(
      z.record(
        z.string().check(z.regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an ml.* instance type')),
        z
          .number()
          .check(
            z.positive('must be a positive price'),
            z.maximum(
              MAX_USD_PER_HOUR,
              `must be at most ${MAX_USD_PER_HOUR} USD per instance-hour (no instance costs more)`
            )
          )
      ),
      {}
    )
    .check(z.describe('USD per instance-hour, overriding the illustrative built-in prices.')),
  notices: z
    ._default(
      z.strictObject({
        emailFrom: z
          ._default(mailFrom, noticeDefaults.emailFrom)
          .check(
            z.describe(
              'From address of emails sent with SES and of local .eml files (SNS sets its own).'
            )
          ),
        slackDmByEmail: z
          ._default(z.boolean(), noticeDefaults.slackDmByEmail)
          .check(
            z.describe(
              'Find owners known only by email in Slack (users.lookupByEmail; needs the bot token).'
            )
          ),
        describeAttempts: z
          ._default(z.int().check(z.gte(1), z.lte(5)), noticeDefaults.describeAttempts)
          .check(
            z.describe('DescribeTrainingJob attempts while the warm pool status is still missing.')
          ),
        email: z.optional(emailTransport),
      }),
      noticeDefaults
    )
    .check(
      z.superRefine((notices, context) => {
        if (notices.email?.transport !== 'ses') return;
        const domain = /@([^@>\s]+)>?\s*$/.exec(notices.emailFrom)?.[1]?.toLowerCase();
        if (domain === undefined || domain === 'localhost' || !domain.includes('.')) {
          context.issues.push({
            code: 'custom',
            input: notices.emailFrom,
            path: ['emailFrom'],
            message:
              'SES sends from this address: set it to an address of your verified SES identity',
          });
        }
      })
    ),
  actions: z.optional(
    actionsSection.check(z.describe('Act from the message: signed links and Slack buttons.'))
  ),
  settings: stewardSettings,
  rules: poolRules,
  accounts: z.optional(accountsSection),
});

type WardenConfig = z.infer<typeof wardenConfig>;

export type { WardenConfig };
export { isTimeZone, wardenConfig };
