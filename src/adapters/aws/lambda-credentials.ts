import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (see
 * `scripts/esbuild-plugins.mjs`). Lambda always hands a function its role's credentials in
 * environment variables, so the rest of the default chain (SSO, INI files, web identity, IMDS,
 * and the STS/SSO clients they pull in) is dead weight: about 86 KB of every bundle.
 */
const defaultProvider = (init?: FromEnvInit) => fromEnv(init);

export { defaultProvider };
