import { ConfigError } from '../../domain/errors.js';

/** What a deployed function is told through its environment (see serverless.yml). */
interface LambdaEnv {
  readonly tableName: string;
  readonly emailTopicArn: string;
  /** Secrets Manager secret with the Slack bot token and webhook URLs. */
  readonly slackSecretId: string;
  /**
   * How long a claimed notice blocks other invocations. Longer than the function timeout (so a
   * slow run is not overtaken) and shorter than the notice queue's visibility timeout (so the
   * message of a run that timed out, when it shows again, finds the lease gone and takes over;
   * test/deploy/buffering.test.ts checks the numbers against each other).
   */
  readonly noticeLeaseMs: number;
  readonly slackApiBase?: string;
}

/** Reads the environment once, failing fast with the name of every missing variable. */
function readLambdaEnv(env: NodeJS.ProcessEnv = process.env): LambdaEnv {
  const missing: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      missing.push(`environment variable ${name} is not set`);
    return value ?? '';
  };
  const seconds = (name: string): number => {
    const value = required(name);
    if (value !== '' && !/^[1-9]\d*$/.test(value))
      missing.push(`environment variable ${name} must be a whole number of seconds`);
    return Number(value);
  };
  const result: LambdaEnv = {
    tableName: required('WARDEN_TABLE'),
    emailTopicArn: required('WARDEN_EMAIL_TOPIC_ARN'),
    slackSecretId: required('WARDEN_SLACK_SECRET_ID'),
    noticeLeaseMs: seconds('WARDEN_NOTICE_LEASE_SECONDS') * 1000,
    ...(env.WARDEN_SLACK_API_BASE ? { slackApiBase: env.WARDEN_SLACK_API_BASE } : {}),
  };
  if (missing.length > 0) throw new ConfigError(missing);
  return result;
}

export type { LambdaEnv };
export { readLambdaEnv };
