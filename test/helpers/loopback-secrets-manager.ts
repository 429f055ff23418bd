import { randomUUID } from 'node:crypto';
import { type AwsJsonReply, awsError, LoopbackAwsJson } from './loopback-aws-json.js';

/**
 * Secrets Manager's `GetSecretValue` on loopback, in the AWS JSON 1.1 wire format. Secrets are
 * kept by name and can be replaced, as a rotation would.
 */
class LoopbackSecretsManager {
  private readonly secrets = new Map<string, string>();

  private constructor(readonly service: LoopbackAwsJson) {}

  static async start(): Promise<LoopbackSecretsManager> {
    let fake: LoopbackSecretsManager | undefined;
    const service = await LoopbackAwsJson.start('secretsmanager', {
      GetSecretValue: (input) => fake?.getSecretValue(input) ?? missing(),
    });
    fake = new LoopbackSecretsManager(service);
    return fake;
  }

  get endpoint(): string {
    return this.service.endpoint;
  }

  /** Creates the secret, or stores a new current version of it. */
  putSecret(name: string, secretString: string): void {
    this.secrets.set(name, secretString);
  }

  async stop(): Promise<void> {
    await this.service.stop();
  }

  private getSecretValue(input: Record<string, unknown>): AwsJsonReply {
    const name = String(input.SecretId);
    const value = this.secrets.get(name);
    if (value === undefined) return missing();
    return {
      status: 200,
      body: {
        ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}-AbCdEf`,
        Name: name,
        VersionId: randomUUID(),
        SecretString: value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1795169742.123,
      },
    };
  }
}

function missing(): AwsJsonReply {
  return awsError(
    400,
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret."
  );
}

export { LoopbackSecretsManager };
