import { describe, expect, it } from 'vitest';
import { readLambdaEnv } from '../../../src/adapters/aws/lambda-env.js';
import { ConfigError } from '../../../src/domain/errors.js';

const DEPLOYED = {
  WARDEN_TABLE: 'pool-warden-prod-WardenTable-1A2B3C',
  WARDEN_EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:pool-warden-prod-NoticeEmailTopic',
  WARDEN_SLACK_SECRET_ID: 'pool-warden/prod/slack',
  WARDEN_NOTICE_LEASE_SECONDS: '150',
};

describe('lambda-env', () => {
  it('reads every setting when the deployment sets them', () => {
    // Act
    const env = readLambdaEnv({ ...DEPLOYED, WARDEN_SLACK_API_BASE: 'http://127.0.0.1:9/api' });

    // Assess
    expect(env).toEqual({
      tableName: DEPLOYED.WARDEN_TABLE,
      emailTopicArn: DEPLOYED.WARDEN_EMAIL_TOPIC_ARN,
      slackSecretId: DEPLOYED.WARDEN_SLACK_SECRET_ID,
      noticeLeaseMs: 150_000,
      slackApiBase: 'http://127.0.0.1:9/api',
    });
  });

  it('leaves the Slack API base out when it is not set', () => {
    // Act
    const env = readLambdaEnv(DEPLOYED);

    // Assess
    expect(env).not.toHaveProperty('slackApiBase');
  });

  it('names every missing variable at once when several are unset or empty', () => {
    // Act
    const error = (() => {
      try {
        readLambdaEnv({ ...DEPLOYED, WARDEN_TABLE: '', WARDEN_EMAIL_TOPIC_ARN: undefined });
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      'environment variable WARDEN_TABLE is not set',
      'environment variable WARDEN_EMAIL_TOPIC_ARN is not set',
    ]);
  });

  it('throws a ConfigError naming every variable when the environment is empty', () => {
    // Act & Assess
    expect(() => readLambdaEnv({})).toThrow(
      /WARDEN_TABLE is not set\n {2}environment variable WARDEN_EMAIL_TOPIC_ARN is not set\n {2}environment variable WARDEN_SLACK_SECRET_ID is not set\n {2}environment variable WARDEN_NOTICE_LEASE_SECONDS is not set/
    );
  });

  it('rejects a lease that is not a whole number of seconds', () => {
    expect(() => readLambdaEnv({ ...DEPLOYED, WARDEN_NOTICE_LEASE_SECONDS: '2.5m' })).toThrow(
      'environment variable WARDEN_NOTICE_LEASE_SECONDS must be a whole number of seconds'
    );
  });
});
