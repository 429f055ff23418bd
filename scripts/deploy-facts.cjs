// serverless.yml reads `custom.warden` from here (`${file(./scripts/deploy-facts.cjs)}`): what
// the stack must grant for the config that is inlined into the bundles. CommonJS because osls
// loads variable files with require(); the logic is in src/adapters/config/deploy-facts.ts.
const { readFile } = require('node:fs/promises');
const { resolve } = require('node:path');

const root = resolve(__dirname, '..');

/**
 * What an unreadable or invalid config gets: nothing beyond SNS. Packaging stops anyway, in the
 * bundler, with the config's problems by file and line (scripts/esbuild-plugins.mjs); reporting
 * them here too would print them twice, and wrapped in a stack trace.
 */
const UNCHECKED = {
  emailTransport: 'sns',
  checksSubscriptions: false,
  actionsBaseUrl: '',
  sesSendResources: [],
  memberAccounts: '',
  memberRoleArns: [],
};

/** Parameters that came from the command line before the config named the member accounts. */
const RETIRED_PARAMS = ['memberAccounts', 'memberRoleName'];

/** The longest role name serverless.yml makes: `pool-warden-<stage>-<region>-reconcile`. */
const LONGEST_ROLE_SUFFIX = '-reconcile';
const IAM_ROLE_NAME_MAX = 64;

/** An error osls prints as it is, without a stack trace around the message. */
function refusal(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

module.exports = async ({ options }) => {
  const params = [options.param ?? []].flat().map((param) => String(param).split('=')[0]);
  const retired = RETIRED_PARAMS.filter((name) => params.includes(name));
  if (retired.length > 0) {
    throw refusal(
      `--param ${retired.join(', --param ')} is no longer read: the member accounts and their ` +
        'role name come from accounts: in the config (README "One Warden for an organisation")'
    );
  }
  // CloudFormation would refuse the role only mid-deploy, and roll back what it had made.
  const stage = options.stage ?? 'dev';
  const region = options.region ?? 'us-east-1';
  const role = `pool-warden-${stage}-${region}${LONGEST_ROLE_SUFFIX}`;
  if (role.length > IAM_ROLE_NAME_MAX) {
    throw refusal(
      `stage "${stage}" is too long: the role ${role} would be ${role.length} characters, and IAM takes ` +
        `${IAM_ROLE_NAME_MAX}; in ${region} a stage may have at most ${stage.length - (role.length - IAM_ROLE_NAME_MAX)}`
    );
  }
  const file = process.env.WARDEN_CONFIG_FILE || 'warden.config.yaml';
  const text = await readFile(resolve(root, file), 'utf8').catch(() => undefined);
  if (text === undefined) return UNCHECKED;
  // tsx's ESM API, as the bundler's plugins load it: its CommonJS API fails on Node 20.
  const { tsImport } = await import('tsx/esm/api');
  const { checkConfigText } = await tsImport(
    '../src/adapters/config/load-config-file.ts',
    __filename
  );
  const result = checkConfigText(text, file);
  if (!result.ok) return UNCHECKED;
  const { deployFacts } = await tsImport('../src/adapters/config/deploy-facts.ts', __filename);
  return deployFacts(result.config);
};
