import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLambdaBundle,
  bundleLambda,
  handlerEntries,
  type LambdaBundle,
} from '../../scripts/lambda-bundles.js';
import { MEMBER_ACCOUNTS_YAML } from '../helpers/factories.js';
import { LoopbackDynamo } from '../helpers/loopback-dynamodb.js';
import { loopbackClientConfig } from '../helpers/loopback-http.js';
import { LoopbackSecretsManager } from '../helpers/loopback-secrets-manager.js';
import { LoopbackSesV2, sesError, sesThrottled } from '../helpers/loopback-sesv2.js';
import { LoopbackSns } from '../helpers/loopback-sns.js';
import { LoopbackSts } from '../helpers/loopback-sts.js';

const BUNDLE_LIMIT_BYTES = 400 * 1024;
const ROLE = 'arn:aws:iam::444455556666:role/pool-warden-member-us-east-1';

/**
 * The bundling plugins (`scripts/esbuild-plugins.mjs`) rewrite the SDK as it is bundled: each
 * client's package.json down to its version, its shape schemas marked pure so that unused
 * operations drop out, most of its error classes left out (a name tells errors apart), and
 * DynamoDB's endpoint cache on a small LRU of ours. These run the bundled clients Pool Warden
 * needs only for some configs (SES v2 and STS, which no handler bundle test covers) against
 * their protocols on loopback, sends, modelled errors and all; the handler bundles are run
 * against DynamoDB in job-state-change.bundle.test.ts.
 */
/** Chooses SES for email; the placeholder From is fine for the `dev` stage the test packages. */
const SES_YAML = `notices:
  emailFrom: Pool Warden <pool-warden@example.com>
  email:
    transport: ses
`;

describe('SDK clients as bundled', () => {
  let dir: string;
  let ses: LoopbackSesV2;
  let sts: LoopbackSts;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-sdk-bundle-'));
    ses = await LoopbackSesV2.start();
    ses.verify('example.com');
    sts = await LoopbackSts.start(
      { [ROLE]: { externalId: 'ext-research', accessKeyId: 'ASIARESEARCH' } },
      { now: () => Date.now() }
    );
  });

  afterAll(async () => {
    await Promise.all([ses.stop(), sts.stop()]);
  });

  /** Bundles `contents` as a handler is bundled and runs it; what it printed, as JSON. */
  async function runBundled(
    name: string,
    contents: string,
    options: { configFile?: string; env?: Record<string, string> } = {}
  ): Promise<unknown> {
    const file = join(dir, `${name}.mjs`);
    await buildLambdaBundle({ contents, name: `${name}.ts` }, file, options.configFile);
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      timeout: 30_000,
      env: { ...process.env, ...options.env },
    });
    return JSON.parse(stdout);
  }

  it('sends an email through SES v2, and reads its modelled refusals', async () => {
    // Prepare
    ses.fail(sesError(400, 'MailFromDomainNotVerifiedException', 'refused'));
    const config = JSON.stringify({ ...loopbackClientConfig(ses.endpoint), maxAttempts: 1 });

    // Act
    const result = await runBundled(
      'ses',
      `import { SESv2Client } from '@aws-sdk/client-sesv2';
      import { SesEmailSender } from './src/adapters/aws/ses-email-sender.js';
      const client = new SESv2Client(${config});
      const message = { to: 'alice@example.org', subject: 'Completed', text: 'done' };
      const ref = { jobName: 'resnet-017', status: 'Completed' };
      const send = (from) => new SesEmailSender(client, { from }).send(message, ref)
        .then(() => 'sent', (error) => error.message);
      const failed = await send('pool-warden@example.com');
      const sent = await send('pool-warden@example.com');
      const rejected = await send('warden@unverified.example');
      console.log(JSON.stringify({ failed, sent, rejected }));`
    );

    // Assess
    expect(result).toEqual({
      failed: expect.stringContaining('SES SendEmail failed: MailFromDomainNotVerifiedException ('),
      sent: 'sent',
      rejected: expect.stringContaining('SES SendEmail failed: MessageRejected ('),
    });
    expect(ses.calls.at(-2)?.input).toMatchObject({
      FromEmailAddress: 'pool-warden@example.com',
      Destination: { ToAddresses: ['alice@example.org'] },
    });
  });

  it('sends both notices through SES, and bundles no SNS, when the config chose SES', async () => {
    // Prepare
    const config = join(dir, 'ses.warden.config.yaml');
    await writeFile(config, `${await readFile('warden.config.yaml', 'utf8')}\n${SES_YAML}`);
    const before = ses.calls.length;

    // Act: the finish notice's transport and the steward's sender, as the handlers wire them
    const result = await runBundled(
      'ses-wiring',
      `import { loadBundledConfig } from './src/handlers/bundled-config.js';
      import { emailSenderOf, emailTransport } from './src/handlers/lambda-deps.js';
      import { snsTransport } from './src/handlers/sns-transport.js';
      const config = await loadBundledConfig();
      const topic = 'arn:aws:sns:us-east-1:111122223333:pool-warden-notices';
      const message = { to: 'alice@example.org', subject: 'Completed', text: 'done' };
      const ref = { jobName: 'resnet-017', status: 'Completed' };
      const { email, emailReach } = emailTransport(config, topic);
      await email.send(message, ref);
      await emailSenderOf(config, topic).send({ ...message, subject: 'Pool kept' }, ref);
      let sns;
      try { snsTransport(topic); } catch (error) { sns = error.message; }
      console.log(JSON.stringify({ reach: await emailReach.canReach('bob@example.org'), sns }));`,
      {
        configFile: config,
        env: {
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_ENDPOINT_URL_SESV2: ses.endpoint,
        },
      }
    );

    // Assess
    expect(ses.calls.slice(before).map((call) => call.input)).toMatchObject([
      { Content: { Simple: { Subject: { Data: 'Completed' } } } },
      { Content: { Simple: { Subject: { Data: 'Pool kept' } } } },
    ]);
    expect(result).toEqual({
      reach: true,
      sns: 'SNS was not bundled: the config chose SES when this was packaged',
    });
  });

  it('assumes a member role through STS, and reads its refusal', async () => {
    // Prepare
    const config = JSON.stringify({ ...loopbackClientConfig(sts.endpoint), maxAttempts: 1 });

    // Act
    const result = await runBundled(
      'sts',
      `import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
      const client = new STSClient(${config});
      const assume = (ExternalId) => client
        .send(new AssumeRoleCommand({ RoleArn: '${ROLE}', RoleSessionName: 'bundle', ExternalId }))
        .then((out) => out.Credentials?.AccessKeyId, (error) => error.name);
      console.log(JSON.stringify({ granted: await assume('ext-research'), denied: await assume('wrong') }));`
    );

    // Assess
    expect(result).toEqual({ granted: 'ASIARESEARCH', denied: 'AccessDenied' });
  });

  it("names each service's errors as the unbundled SDK does, with or without their classes", async () => {
    // Prepare: one error of each kind Pool Warden tells apart, on each protocol it meets
    const [dynamo, secrets, sns] = await Promise.all([
      LoopbackDynamo.start(),
      LoopbackSecretsManager.start(),
      LoopbackSns.start(),
    ]);
    await dynamo.createWardenTable('warden');
    ses.fail(sesThrottled());
    const at = (endpoint: string, maxAttempts = 1) =>
      JSON.stringify({ ...loopbackClientConfig(endpoint), maxAttempts });

    try {
      // Act
      const result = await runBundled(
        'errors',
        `import { DynamoDBClient, DynamoDBServiceException, PutItemCommand } from '@aws-sdk/client-dynamodb';
        import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
        import { GetSubscriptionAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
        import { SESv2Client } from '@aws-sdk/client-sesv2';
        import { SesEmailSender } from './src/adapters/aws/ses-email-sender.js';
        const caught = (call, Base) => call.then(() => 'answered', (e) => ({
          name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, fault: e.$fault,
          base: Base === undefined ? undefined : e instanceof Base,
        }));
        const dynamo = new DynamoDBClient(${at(dynamo.endpoint)});
        const put = () => dynamo.send(new PutItemCommand({ TableName: 'warden',
          Item: { pk: { S: 'NOTICE#1' }, sk: { S: 'A' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
        await put();
        const secrets = new SecretsManagerClient(${at(secrets.endpoint)});
        const sns = new SNSClient(${at(sns.endpoint)});
        const sent = await new SesEmailSender(new SESv2Client(${at(ses.endpoint, 2)}), { from: 'pool-warden@example.com' })
          .send({ to: 'alice@example.org', subject: 'Completed', text: 'done' }, { jobName: 'j', status: 'Completed' })
          .then(() => 'sent', (e) => e.message);
        console.log(JSON.stringify({
          dynamo: await caught(put(), DynamoDBServiceException),
          secrets: await caught(secrets.send(new GetSecretValueCommand({ SecretId: 'pool-warden/slack' }))),
          sns: await caught(sns.send(new GetSubscriptionAttributesCommand({
            SubscriptionArn: 'arn:aws:sns:us-east-1:111122223333:gone:00000001' }))),
          sent,
        }));`
      );

      // Assess: the names and messages the adapters read; a throttled send is still retried
      expect(result).toEqual({
        dynamo: {
          name: 'ConditionalCheckFailedException',
          message: 'The conditional request failed',
          status: 400,
          fault: 'client',
          base: true,
        },
        secrets: {
          name: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
          status: 400,
          fault: 'client',
        },
        // SNS's code is NotFound; only its class says NotFoundException, so that class stays
        sns: {
          name: 'NotFoundException',
          message: 'Subscription does not exist',
          status: 404,
          fault: 'client',
        },
        sent: 'sent',
      });
    } finally {
      await Promise.all([dynamo.stop(), secrets.stop(), sns.stop()]);
    }
  });

  it('finds nothing but clients and commands imported from SDK clients, so no error class', async () => {
    // Bundles leave most error classes out (see the plugins): an `instanceof` on one would
    // pass against the unbundled SDK in every other test and fail in Lambda. Error classes
    // have no common suffix (SageMaker's ResourceNotFound, SES's MessageRejected), so anything
    // but a client, a command or a type counts.
    const files = (await readdir('src', { recursive: true })).filter((f) => f.endsWith('.ts'));
    const suspect: string[] = [];
    for (const file of files) {
      const text = await readFile(join('src', file), 'utf8');
      const from = `\\s*from\\s*'@aws-sdk/client-[^']+'`;
      for (const [, names] of text.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}${from}`, 'g'))) {
        for (const name of (names ?? '').split(',').map((n) => n.trim())) {
          if (name !== '' && !/^type\s/.test(name) && !/^\w+(Client|Command)$/.test(name)) {
            suspect.push(`${file}: ${name}`);
          }
        }
      }
      if (new RegExp(`import\\s*\\*[^;]*${from}|import\\(\\s*'@aws-sdk/client-`).test(text)) {
        suspect.push(`${file}: a whole client module`);
      }
    }
    expect(files.length).toBeGreaterThan(100);
    expect(suspect).toEqual([]);
  });
});

describe('handler bundles', () => {
  it.each([
    ['the default config', '', { sns: true, ses: false, sts: false }],
    // With member accounts, STS is bundled too
    ['member accounts', MEMBER_ACCOUNTS_YAML, { sns: true, ses: false, sts: true }],
    // With SES for email, SNS is left out: the evaluator had no room for both
    ['SES for email', SES_YAML, { sns: false, ses: true, sts: false }],
    [
      'member accounts and SES',
      `${MEMBER_ACCOUNTS_YAML}${SES_YAML}`,
      { sns: false, ses: true, sts: true },
    ],
  ])('each stay within the 400 KB budget with %s', async (_, extra, clients) => {
    // Prepare: whatever WARDEN_CONFIG_FILE says
    const dir = await mkdtemp(join(tmpdir(), 'warden-bundles-'));
    const config = join(dir, 'warden.config.yaml');
    await writeFile(config, `${await readFile('warden.config.yaml', 'utf8')}\n${extra}`);

    // Act
    const bundles: Record<string, LambdaBundle> = {};
    for (const [name, entry] of Object.entries(await handlerEntries())) {
      bundles[name] = await bundleLambda(entry, join(dir, `${name}.mjs`), config);
    }

    // Assess
    expect(Object.keys(bundles).length).toBeGreaterThanOrEqual(6);
    const over = Object.entries(bundles).filter(([, b]) => b.bytes > BUNDLE_LIMIT_BYTES);
    expect(over.map(([name, b]) => [name, b.bytes])).toEqual([]);
    // ...with the swaps that keep them so still in place
    const kept = (b: LambdaBundle, pkg: string) =>
      b.inputs.some((i) => i.bytesInOutput > 0 && i.path.includes(`node_modules/${pkg}/`));
    const all = Object.values(bundles);
    expect(all.some((b) => kept(b, 'mnemonist'))).toBe(false);
    const dynamoErrors = all
      .flatMap((b) => b.inputs)
      .filter((i) => i.path.endsWith('@aws-sdk/client-dynamodb/dist-es/models/errors.js'));
    expect(dynamoErrors.length).toBeGreaterThan(0);
    // Of its 9 KB, only the one class marked retryable stays
    expect(dynamoErrors.filter((i) => i.bytesInOutput > 1024)).toEqual([]);
    expect({
      sns: all.some((b) => kept(b, '@aws-sdk/client-sns')),
      ses: all.some((b) => kept(b, '@aws-sdk/client-sesv2')),
      sts: all.some((b) => kept(b, '@aws-sdk/client-sts')),
    }).toEqual(clients);
  });
});
