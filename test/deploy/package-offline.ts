import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Template } from './template-checks.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** What packaging writes in the service folder, or must not see from a working copy. */
const NOT_LINKED = new Set(['.esbuild', '.serverless', '.git', 'serverless.yml']);

/**
 * Runs `serverless package` (osls) as CI does, offline and with no AWS credentials, and
 * returns the CloudFormation it wrote. It runs in a temporary service folder that links to
 * this one: serverless-esbuild builds in `<service>/.esbuild` and deletes it when done, so a
 * packaging in the repository itself would collide with any other running there (another test
 * file, someone's `npm run package`). serverless.yml is copied, since osls does not follow a
 * link to it.
 */
async function packageOffline(
  args: readonly string[] = [],
  options: { configFile?: string } = {}
): Promise<Template> {
  const service = await mkdtemp(join(tmpdir(), 'warden-template-'));
  for (const entry of await readdir(ROOT)) {
    if (!NOT_LINKED.has(entry)) await symlink(join(ROOT, entry), join(service, entry));
  }
  await copyFile(join(ROOT, 'serverless.yml'), join(service, 'serverless.yml'));
  try {
    return await packageIn(service, args, options.configFile);
  } finally {
    // Links are removed, never followed: the repository stays as it is.
    await rm(service, { recursive: true, force: true });
  }
}

async function packageIn(
  service: string,
  args: readonly string[],
  configFile: string | undefined
): Promise<Template> {
  const out = join(service, 'package');
  const {
    AWS_ACCESS_KEY_ID: _id,
    AWS_SECRET_ACCESS_KEY: _secret,
    AWS_SESSION_TOKEN: _token,
    AWS_PROFILE: _profile,
    WARDEN_CONFIG_FILE: _config,
    ...env
  } = process.env;
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', '.bin', 'serverless'), 'package', '--package', out, ...args],
    {
      cwd: service,
      env: {
        ...env,
        // No credentials anywhere: packaging must not need an AWS account.
        AWS_CONFIG_FILE: join(service, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(service, 'no-aws-credentials'),
        ...(configFile === undefined ? {} : { WARDEN_CONFIG_FILE: configFile }),
      },
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    }
  );
  const text = await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  return JSON.parse(text) as Template;
}

export { packageOffline };
