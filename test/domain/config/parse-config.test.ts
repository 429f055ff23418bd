import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import { TEAM_CONFIG_YAML } from '../../helpers/factories.js';

const FILE = 'warden.config.yaml';

/** The issues of a config that must be rejected. */
function issuesOf(yaml: string): readonly string[] {
  const result = parseConfig(yaml, FILE);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues;
}

describe('parseConfig', () => {
  describe('a valid file', () => {
    it('applies every default to a minimal file', () => {
      // Act
      const result = parseConfig(
        'version: 1\nowners:\n  fallback: ml-platform@example.com\n',
        FILE
      );

      // Assess
      expect(result).toEqual({
        ok: true,
        config: {
          version: 1,
          defaults: { timeZone: 'UTC' },
          owners: { tagKeys: [], roles: {}, fallback: 'ml-platform@example.com' },
          directory: {},
          prices: {},
          notices: {
            emailFrom: 'Pool Warden <pool-warden@localhost>',
            slackDmByEmail: false,
            describeAttempts: 4,
          },
          settings: {
            dryRun: true,
            maxActionsPerRun: 50,
            maxActionsPerHour: 200,
            keepAliveAnchor: 'job-end',
            maxKeepAlive: '1h',
            leadTime: '5m',
            revisitEvery: '5m',
            safetyMargin: '2m',
            auditRetentionDays: 90,
            valueOfTime: 100,
            coldStartBilledSeconds: 30,
            coldStartWaitSeconds: 120,
          },
          rules: [],
        },
      });
    });

    it('reads the team setup the other tests use', () => {
      // Act
      const result = parseConfig(TEAM_CONFIG_YAML, FILE);

      // Assess
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.config.owners).toEqual({
        tagKeys: ['owner', 'created-by'],
        roles: { 'arn:aws:iam::111122223333:role/VisionTraining': 'vision' },
        fallback: 'platform',
      });
      expect(result.config.directory.bob).toEqual({ email: 'bob@example.com', team: 'vision' });
    });

    it('keeps explicit settings over defaults', () => {
      // Prepare
      const yaml = `version: 1
defaults:
  timeZone: Europe/Berlin
owners:
  fallback: W0PLATFORM1
prices:
  ml.g5.2xlarge: 1.2
  ml.p4d.24xlarge: 32.77
notices:
  emailFrom: Warden <warden@example.com>
  slackDmByEmail: true
  describeAttempts: 5
`;

      // Act
      const result = parseConfig(yaml, FILE);

      // Assess
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.config.defaults.timeZone).toBe('Europe/Berlin');
      expect(result.config.prices).toEqual({ 'ml.g5.2xlarge': 1.2, 'ml.p4d.24xlarge': 32.77 });
      expect(result.config.notices).toEqual({
        emailFrom: 'Warden <warden@example.com>',
        slackDmByEmail: true,
        describeAttempts: 5,
      });
    });
  });

  describe('YAML errors', () => {
    it('reports a syntax error with its file and line', () => {
      expect(issuesOf('version: 1\nowners:\n\tfallback: platform\n')).toEqual([
        'warden.config.yaml:3: Tabs are not allowed as indentation',
      ]);
    });

    it('rejects a duplicate key on the line of the second one', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
  tagKeys: [owner]
  fallback: alice@example.com
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual(['warden.config.yaml:5: Map keys must be unique']);
    });
  });

  describe('schema errors', () => {
    it('states the bound of a number that is too small', () => {
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
notices:
  describeAttempts: 0
`;

      expect(issuesOf(yaml)).toEqual([
        'warden.config.yaml:5: notices.describeAttempts: must be at least 1',
      ]);
    });

    it('reports an unknown field on its own line', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
  tagkeys: [owner]
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual(['warden.config.yaml:4: owners: unknown field "tagkeys"']);
    });

    it('reports an unknown section on its own line, not on the first line of its body', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
notice:
  describeAttempts: 3
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual(['warden.config.yaml:4: (top level): unknown field "notice"']);
    });

    it('names every unknown field of an entry, on the line of the first', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: alice
directory:
  alice:
    email: alice@example.com
    phone: '+49 30 1234567'
    pager:
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:7: directory.alice: unknown fields "phone", "pager"',
      ]);
    });

    it('rejects a time zone that is not an IANA zone', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: alice
directory:
  alice:
    email: alice@example.com
    timeZone: Europe/Berln
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:7: directory.alice.timeZone: is not an IANA time zone (e.g. Europe/Berlin, America/New_York)',
      ]);
    });

    it('rejects a bad default time zone', () => {
      expect(
        issuesOf('version: 1\ndefaults:\n  timeZone: CEST\nowners:\n  fallback: a@example.com\n')
      ).toEqual([
        'warden.config.yaml:3: defaults.timeZone: is not an IANA time zone (e.g. Europe/Berlin, America/New_York)',
      ]);
    });

    it('rejects an email address that is not one', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: alice
directory:
  alice:
    email: alice(at)example.com
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:6: directory.alice.email: is not an email address',
      ]);
    });

    it('rejects a Slack id that is not a member id', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: alice
directory:
  alice:
    email: alice@example.com
    slack: '@alice'
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:7: directory.alice.slack: is not a Slack member id (U… or W…)',
      ]);
    });

    it('rejects prices that are not positive numbers, are absurdly large, or are not ml.* instance types', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
prices:
  ml.g5.2xlarge: 0
  ml.p4d.24xlarge: "37.69"
  g5.xlarge: 1.2
  ml.g5.xlarge: 1.79e308
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:5: prices["ml.g5.2xlarge"]: must be a positive price',
        'warden.config.yaml:6: prices["ml.p4d.24xlarge"]: expected number',
        'warden.config.yaml:7: prices["g5.xlarge"]: key must be an ml.* instance type',
        'warden.config.yaml:8: prices["ml.g5.xlarge"]: must be at most 10000 USD per instance-hour (no instance costs more)',
      ]);
    });

    it('rejects an actions admin the directory cannot recognise in Slack', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ops
directory:
  ops: { email: ops@example.com }
  lead: { email: lead@example.com, slack: U0LEAD0001 }
actions:
  admins: [lead, ops, ghost]
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:8: actions.admins[1]: "ops" is not a directory entry with a slack member id, so no click would be recognised as theirs',
        'warden.config.yaml:8: actions.admins[2]: "ghost" is not a directory entry with a slack member id, so no click would be recognised as theirs',
      ]);
    });

    it('rejects a role map key that is not an IAM role ARN', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
  roles:
    VisionTraining: ml-platform@example.com
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:5: owners.roles.VisionTraining: key must be an IAM role ARN',
      ]);
    });

    it('rejects an unsupported version', () => {
      expect(issuesOf('version: 2\nowners:\n  fallback: a@example.com\n')).toEqual([
        'warden.config.yaml:1: version: must be 1',
      ]);
    });

    it('rejects a file without the required owners section, pointing at the top level', () => {
      expect(issuesOf('version: 1\n')).toEqual(['warden.config.yaml:1: owners: expected object']);
    });

    it('rejects an empty file without a line number', () => {
      expect(issuesOf('')).toEqual(['warden.config.yaml: (top level): expected object']);
    });
  });

  describe('reference errors', () => {
    it('rejects a fallback that names nobody', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: platfrom
directory:
  platform:
    email: ml-platform@example.com
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:3: owners.fallback: "platfrom" is not a directory id, an email address or a Slack member id',
      ]);
    });

    it('rejects a role map entry that names nobody', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
  roles:
    arn:aws:iam::111122223333:role/VisionTraining: vison
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:5: owners.roles["arn:aws:iam::111122223333:role/VisionTraining"]: "vison" is not a directory id, an email address or a Slack member id',
      ]);
    });

    it('rejects a directory team that does not exist', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: alice
directory:
  alice:
    email: alice@example.com
    team: visoin
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:7: directory.alice.team: team "visoin" is not in the directory',
      ]);
    });

    it('rejects an entry no notice could reach, on the line of its id', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: ml-platform@example.com
directory:
  carol:
    name: Carol Diaz
    team: vision
  vision:
    timeZone: Europe/Paris
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:5: directory.carol: has no email, slack or slackWebhook (nor a team that has one): notices could not reach it',
        'warden.config.yaml:8: directory.vision: has no email, slack or slackWebhook (nor a team that has one): notices could not reach it',
      ]);
    });

    it('accepts a person reachable only through their team', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: carol
directory:
  carol:
    team: vision
  vision:
    slackWebhook: vision-alerts
`;

      // Act
      const result = parseConfig(yaml, FILE);

      // Assess
      expect(result.ok).toBe(true);
    });

    it('reports every reference problem at once', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: nobody
  roles:
    arn:aws:iam::111122223333:role/A: somebody
directory:
  dave:
    team: ghosts
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual([
        'warden.config.yaml:3: owners.fallback: "nobody" is not a directory id, an email address or a Slack member id',
        'warden.config.yaml:5: owners.roles["arn:aws:iam::111122223333:role/A"]: "somebody" is not a directory id, an email address or a Slack member id',
        'warden.config.yaml:7: directory.dave: has no email, slack or slackWebhook (nor a team that has one): notices could not reach it',
        'warden.config.yaml:8: directory.dave.team: team "ghosts" is not in the directory',
      ]);
    });

    it('does not check references while the schema still fails', () => {
      // Prepare
      const yaml = `version: 1
owners:
  fallback: nobody
  tagKeys: owner
`;

      // Act
      const issues = issuesOf(yaml);

      // Assess
      expect(issues).toEqual(['warden.config.yaml:4: owners.tagKeys: expected array']);
    });
  });
});
