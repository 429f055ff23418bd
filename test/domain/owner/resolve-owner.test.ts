import { describe, expect, it } from 'vitest';
import {
  type OwnerInputs,
  ownerById,
  resolveOwner,
} from '../../../src/domain/owner/resolve-owner.js';
import { configFrom, teamConfig } from '../../helpers/factories.js';

const VISION_ROLE = 'arn:aws:iam::111122223333:role/VisionTraining';
const OTHER_ROLE = 'arn:aws:iam::111122223333:role/AdHoc';
const STUDIO_CALLER = {
  principal: 'bob',
  arn: 'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole/bob',
};

function resolve(inputs: OwnerInputs) {
  return resolveOwner(inputs, teamConfig());
}

describe('resolveOwner', () => {
  describe('resolution order', () => {
    it('takes the warden:owner tag before every other source', () => {
      // Prepare
      const inputs = {
        tags: { 'warden:owner': 'bob', owner: 'alice', 'created-by': 'alice' },
        roleArn: VISION_ROLE,
        caller: { ...STUDIO_CALLER, principal: 'alice' },
      };

      // Act
      const owner = resolve(inputs);

      // Assess
      expect(owner.id).toBe('bob');
      expect(owner.via).toBe('tag warden:owner');
      expect(owner.skipped).toEqual([]);
    });

    it('takes the configured tag keys in their configured order', () => {
      // Prepare
      const inputs = { tags: { 'created-by': 'bob', owner: 'alice' }, roleArn: VISION_ROLE };

      // Act
      const owner = resolve(inputs);

      // Assess
      expect([owner.id, owner.via]).toEqual(['alice', 'tag owner']);
    });

    it('takes a later tag key when the earlier ones are absent', () => {
      const owner = resolve({ tags: { 'created-by': 'bob' }, roleArn: VISION_ROLE });

      expect([owner.id, owner.via]).toEqual(['bob', 'tag created-by']);
    });

    it('ignores tag keys the admin did not configure', () => {
      const owner = resolve({ tags: { creator: 'bob' }, roleArn: VISION_ROLE });

      expect([owner.id, owner.via]).toEqual(['vision', 'role map']);
    });

    it('takes the role map when no tag names an owner', () => {
      // Act
      const owner = resolve({ tags: {}, roleArn: VISION_ROLE, caller: STUDIO_CALLER });

      // Assess
      expect(owner).toEqual({
        id: 'vision',
        displayName: 'vision',
        via: 'role map',
        email: 'vision-ml@example.com',
        slackWebhook: 'vision',
        timeZone: 'America/New_York',
        skipped: [],
      });
    });

    it('takes the CloudTrail caller when neither tags nor the role map name anyone', () => {
      const owner = resolve({ tags: {}, roleArn: OTHER_ROLE, caller: STUDIO_CALLER });

      expect([owner.id, owner.via]).toEqual(['bob', 'CloudTrail caller']);
    });

    it('falls back to the fallback contact when nothing else names anyone', () => {
      // Act
      const owner = resolve({ tags: {}, roleArn: OTHER_ROLE });

      // Assess
      expect(owner).toEqual({
        id: 'platform',
        displayName: 'platform',
        via: 'fallback contact',
        email: 'ml-platform@example.com',
        timeZone: 'UTC',
        skipped: [],
      });
    });

    it('falls back when the job has no role at all', () => {
      expect(resolve({ tags: {} }).via).toBe('fallback contact');
    });
  });

  describe('candidates that name nobody', () => {
    it('skips a tag naming nobody, records why, and goes on down the chain', () => {
      // Act
      const owner = resolve({ tags: { 'warden:owner': 'alcie', owner: 'alice' } });

      // Assess
      expect([owner.id, owner.via]).toEqual(['alice', 'tag owner']);
      expect(owner.skipped).toEqual([
        'tag warden:owner "alcie" is not a directory id, an email address or a Slack member id',
      ]);
    });

    it('records every skipped candidate, in order, when it has to use the fallback', () => {
      // Prepare
      const inputs = {
        tags: { 'warden:owner': 'team-vision', owner: 'Alice Ng', 'created-by': 'jenkins' },
        roleArn: OTHER_ROLE,
        caller: {
          principal: 'SageMaker',
          arn: 'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole/SageMaker',
        },
      };

      // Act
      const owner = resolve(inputs);

      // Assess
      expect(owner.via).toBe('fallback contact');
      expect(owner.skipped).toEqual([
        'tag warden:owner "team-vision" is not a directory id, an email address or a Slack member id',
        'tag owner "Alice Ng" is not a directory id, an email address or a Slack member id',
        'tag created-by "jenkins" is not a directory id, an email address or a Slack member id',
        'CloudTrail caller "SageMaker" is not a directory id, an email address or a Slack member id',
      ]);
    });

    it('treats a blank tag value as absent rather than as a candidate', () => {
      // Act
      const owner = resolve({ tags: { 'warden:owner': '   ', owner: '' }, roleArn: VISION_ROLE });

      // Assess
      expect([owner.id, owner.via]).toEqual(['vision', 'role map']);
      expect(owner.skipped).toEqual([]);
    });

    it('trims whitespace around a tag value', () => {
      expect(resolve({ tags: { 'warden:owner': '  alice \n' } }).id).toBe('alice');
    });

    it('does not take an Object prototype member for a directory id', () => {
      const owner = resolve({ tags: { 'warden:owner': 'constructor' }, roleArn: VISION_ROLE });

      expect([owner.id, owner.skipped.length]).toEqual(['vision', 1]);
    });
  });

  describe('directory entries', () => {
    it('uses a person’s own name, email, Slack DM and time zone', () => {
      // Act
      const owner = resolve({ tags: { 'warden:owner': 'alice' } });

      // Assess
      expect(owner).toEqual({
        id: 'alice',
        displayName: 'Alice Ng',
        via: 'tag warden:owner',
        email: 'alice@example.com',
        slackUser: 'U0ALICE01',
        timeZone: 'Europe/Berlin',
        team: 'vision',
        skipped: [],
      });
    });

    it('fills in the team channel and time zone a person lacks', () => {
      // Act
      const owner = resolve({ tags: { 'warden:owner': 'bob' } });

      // Assess
      expect(owner).toEqual({
        id: 'bob',
        displayName: 'bob',
        via: 'tag warden:owner',
        email: 'bob@example.com',
        slackWebhook: 'vision',
        timeZone: 'America/New_York',
        team: 'vision',
        skipped: [],
      });
    });

    it('prefers the person’s DM over the team webhook', () => {
      expect(resolve({ tags: { 'warden:owner': 'alice' } })).not.toHaveProperty('slackWebhook');
    });

    describe('with a team that has an email, a Slack member and a webhook', () => {
      const config = configFrom(`version: 1
defaults:
  timeZone: Asia/Tokyo
owners:
  fallback: ops
directory:
  ops:
    email: ops@example.com
    slack: U0OPS0001
    slackWebhook: ops-alerts
    timeZone: Europe/London
  carol:
    slackWebhook: carol-hook
    team: ops
  dave:
    team: ops
  erin:
    email: erin@example.com
`);

      it('keeps a person’s own webhook instead of the team’s Slack member', () => {
        // Act
        const owner = resolveOwner({ tags: { 'warden:owner': 'carol' } }, config);

        // Assess
        expect(owner).toMatchObject({ email: 'ops@example.com', slackWebhook: 'carol-hook' });
        expect(owner).not.toHaveProperty('slackUser');
      });

      it('inherits every channel of the team when the person has none', () => {
        // Act
        const owner = resolveOwner({ tags: { 'warden:owner': 'dave' } }, config);

        // Assess
        expect(owner).toMatchObject({
          email: 'ops@example.com',
          slackUser: 'U0OPS0001',
          slackWebhook: 'ops-alerts',
          timeZone: 'Europe/London',
          team: 'ops',
        });
      });

      it('uses the default time zone for a person with neither zone nor team', () => {
        const owner = resolveOwner({ tags: { 'warden:owner': 'erin' } }, config);

        expect(owner.timeZone).toBe('Asia/Tokyo');
      });

      it('gives raw owners the default time zone', () => {
        const owner = resolveOwner({ tags: { 'warden:owner': 'frank@example.com' } }, config);

        expect(owner.timeZone).toBe('Asia/Tokyo');
      });
    });
  });

  describe('an owner named by a channel the directory lists (case 2)', () => {
    it('uses the directory entry of an address, matched case-insensitively, with its Slack, zone and team', () => {
      // Prepare
      const config = configFrom(`version: 1
defaults:
  timeZone: UTC
owners:
  tagKeys: [owner]
  fallback: platform
directory:
  bob:
    email: bob@example.com
    slack: U0BOB0001
    timeZone: Europe/Oslo
    team: vision
  vision:
    email: vision-ml@example.com
  platform:
    email: ml-platform@example.com
`);

      // Act
      const owner = resolveOwner({ tags: { owner: 'Bob@Example.COM' } }, config);

      // Assess
      expect(owner).toEqual({
        id: 'bob',
        displayName: 'bob',
        via: 'tag owner',
        email: 'bob@example.com',
        slackUser: 'U0BOB0001',
        timeZone: 'Europe/Oslo',
        team: 'vision',
        skipped: [],
      });
    });

    it('uses the directory entry of a Slack member id', () => {
      // Act
      const owner = resolve({ tags: { owner: 'U0ALICE01' } });

      // Assess
      expect(owner).toMatchObject({
        id: 'alice',
        displayName: 'Alice Ng',
        email: 'alice@example.com',
        slackUser: 'U0ALICE01',
        timeZone: 'Europe/Berlin',
        team: 'vision',
      });
    });

    it('fills in the team’s channels and zone for a person named by their address', () => {
      // Act
      const owner = resolve({ tags: { owner: 'bob@example.com' } });

      // Assess
      expect(owner).toMatchObject({
        id: 'bob',
        email: 'bob@example.com',
        slackWebhook: 'vision',
        timeZone: 'America/New_York',
        team: 'vision',
      });
    });

    it('does not match an address a person only inherits from their team', () => {
      // Act
      const owner = resolve({ tags: { owner: 'vision-ml@example.com' } });

      // Assess
      expect(owner.id).toBe('vision');
    });

    it('prefers the person to the team when both list the same address', () => {
      // Prepare
      const config = configFrom(`version: 1
owners:
  fallback: zeta
directory:
  zeta:
    email: shared@example.com
  amy:
    email: shared@example.com
    team: zeta
`);

      // Act
      const owner = resolveOwner({ tags: { 'warden:owner': 'shared@example.com' } }, config);

      // Assess
      expect(owner.id).toBe('amy');
    });

    it('finds the same entry again from a pool record that kept the address', () => {
      // Act
      const owner = ownerById('ALICE@example.com', 'the finish notice', teamConfig());

      // Assess
      expect(owner).toMatchObject({
        id: 'alice',
        slackUser: 'U0ALICE01',
        timeZone: 'Europe/Berlin',
      });
    });
  });

  describe('raw owners', () => {
    it('addresses a raw email address directly', () => {
      // Act
      const owner = resolve({ tags: { owner: 'carol@example.com' } });

      // Assess
      expect(owner).toEqual({
        id: 'carol@example.com',
        displayName: 'carol@example.com',
        via: 'tag owner',
        email: 'carol@example.com',
        timeZone: 'UTC',
        skipped: [],
      });
    });

    it('addresses a raw Slack member id by DM', () => {
      // Act
      const owner = resolve({ tags: { 'warden:owner': 'U0CAROL99' } });

      // Assess
      expect(owner).toEqual({
        id: 'U0CAROL99',
        displayName: 'U0CAROL99',
        via: 'tag warden:owner',
        slackUser: 'U0CAROL99',
        timeZone: 'UTC',
        skipped: [],
      });
    });

    it('takes an SSO email from the CloudTrail caller', () => {
      // Prepare
      const caller = {
        principal: 'carol@example.com',
        arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_MLEngineer_0123456789abcdef/carol@example.com',
      };

      // Act
      const owner = resolve({ tags: {}, roleArn: OTHER_ROLE, caller });

      // Assess
      expect([owner.email, owner.via]).toEqual(['carol@example.com', 'CloudTrail caller']);
    });
  });

  it('never mistakes a built-in object member for a role mapping or an owner tag', () => {
    const owner = resolve({ tags: {}, roleArn: 'toString' });

    expect([owner.id, owner.via, owner.skipped]).toEqual(['platform', 'fallback contact', []]);
  });
});
