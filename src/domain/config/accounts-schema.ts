import * as z from 'zod/mini';

// Descriptions live in the schema so the generated JSON Schema carries them into editors.

const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));

const region = z
  .string()
  .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'is not an AWS region (e.g. us-east-1)'));

/** IAM role names: up to 64 of letters, digits and `+=,.@_-`; the region is appended. */
const roleName = z
  .string()
  .check(
    z.regex(
      /^[\w+=,.@-]{1,40}$/,
      'must be an IAM role name of at most 40 characters (+=,.@_- allowed)'
    )
  );

const member = z.strictObject({
  id: accountId.check(z.describe('The member account id.')),
  name: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(64),
        z.describe('A name for logs and errors, e.g. research.')
      )
  ),
  roleName: z.optional(
    roleName.check(
      z.describe(
        'Prefix of the role the member stack created; the hub assumes <roleName>-<region>. Default: accounts.roleName.'
      )
    )
  ),
  externalId: z
    .string()
    .check(
      z.regex(
        /^[\w+=,.@:/-]{2,1224}$/,
        'must be 2-1224 characters of letters, digits and +=,.@:/-'
      ),
      z.describe(
        'The external id the member stack was deployed with (--param externalId). Not a secret: it ' +
          'stops another AWS customer from pointing its own hub at this role, so keep it unique per member.'
      )
    ),
  regions: z
    .array(region)
    .check(
      z.minLength(1, 'must list at least one region'),
      z.describe(
        'Regions where a member stack forwards events; the hub lists and acts on jobs there only.'
      )
    ),
});

const accountsSection = z
  .strictObject({
    hub: accountId.check(
      z.describe(
        "The account the hub is deployed in: its jobs are called with the functions' own credentials."
      )
    ),
    roleName: z
      ._default(roleName, 'pool-warden-member')
      .check(
        z.describe(
          'Prefix of the member role (the member stack names it <roleName>-<region>); default pool-warden-member.'
        )
      ),
    members: z
      ._default(z.array(member), [])
      .check(z.describe('Accounts whose training jobs this hub serves, each with a member stack.')),
  })
  .check(
    z.superRefine((accounts, context) => {
      const seen = new Set<string>([accounts.hub]);
      accounts.members.forEach((m, i) => {
        if (seen.has(m.id)) {
          context.issues.push({
            code: 'custom',
            input: m.id,
            path: ['members', i, 'id'],
            message:
              m.id === accounts.hub
                ? 'is the hub itself, which needs no member entry'
                : 'is listed twice; list each account once, with all its regions',
          });
        }
        seen.add(m.id);
        if (new Set(m.regions).size !== m.regions.length) {
          context.issues.push({
            code: 'custom',
            input: m.regions,
            path: ['members', i, 'regions'],
            message: 'lists a region twice',
          });
        }
      });
    }),
    z.describe(
      'One Warden for an organisation: the accounts (besides the hub) whose SageMaker events this ' +
        'hub accepts and whose jobs it may act on. Absent: the hub serves its own account only.'
    )
  );

export { accountsSection };
