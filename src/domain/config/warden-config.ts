import * as z from 'zod/mini';
import { EMAIL, SLACK_MEMBER } from '../owner/owner-ref.js';

/** The tag every team can set on a job to name its owner; always consulted first. */
const OWNER_TAG = 'warden:owner';

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const ownerId = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(256));
const timeZone = z
  .string()
  .check(z.refine(isTimeZone, 'is not an IANA time zone (e.g. Europe/Berlin, America/New_York)'));
const secretName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be a secret name of letters, digits, _ . -'));

const directoryEntry = z.strictObject({
  /** How notices address this person or team; defaults to the directory id. */
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(80))),
  email: z.optional(z.string().check(z.regex(EMAIL, 'is not an email address'))),
  /** Slack member id for a direct message from the bot (U… or W…). */
  slack: z.optional(z.string().check(z.regex(SLACK_MEMBER, 'is not a Slack member id (U… or W…)'))),
  /** Name of the secret holding an incoming-webhook URL (a team channel). */
  slackWebhook: z.optional(secretName),
  timeZone: z.optional(timeZone),
  /** Directory id of this person's team: fills in channels and time zone the person lacks. */
  team: z.optional(ownerId),
});

const wardenConfig = z.strictObject({
  version: z.literal(1),
  defaults: z._default(
    z.strictObject({
      /** Time zone for owners whose directory entry has none. */
      timeZone: z._default(timeZone, 'UTC'),
    }),
    { timeZone: 'UTC' }
  ),
  owners: z.strictObject({
    /** Tag keys consulted after `warden:owner`, in order. */
    tagKeys: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(128))), []),
    /** Execution role ARN → owner or team id, for jobs without an owner tag. */
    roles: z._default(
      z.record(
        z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\//, 'must be an IAM role ARN')),
        ownerId
      ),
      {}
    ),
    /** Who hears about a job when nothing else names an owner. Required: no notice is lost. */
    fallback: ownerId,
  }),
  directory: z._default(z.record(ownerId, directoryEntry), {}),
  /** USD per instance-hour, overriding the illustrative built-in table. */
  prices: z._default(
    z.record(
      z.string().check(z.regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an ml.* instance type')),
      z.number().check(z.positive('must be a positive price'))
    ),
    {}
  ),
  notices: z._default(
    z.strictObject({
      /** From address written into local `.eml` files (SNS sets its own sender when deployed). */
      emailFrom: z._default(
        z.string().check(z.minLength(3)),
        'Pool Warden <pool-warden@localhost>'
      ),
      /** Look up a Slack member by email when the owner has only an email (needs the bot token). */
      slackDmByEmail: z._default(z.boolean(), false),
      /** DescribeTrainingJob attempts while the warm pool status is still missing. */
      describeAttempts: z._default(z.int().check(z.gte(1), z.lte(10)), 4),
    }),
    { emailFrom: 'Pool Warden <pool-warden@localhost>', slackDmByEmail: false, describeAttempts: 4 }
  ),
});

type WardenConfig = z.infer<typeof wardenConfig>;
type DirectoryEntry = z.infer<typeof directoryEntry>;

export type { DirectoryEntry, WardenConfig };
export { isTimeZone, OWNER_TAG, wardenConfig };
