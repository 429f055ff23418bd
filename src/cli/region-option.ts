import { printable } from '../domain/printable.js';
import { UsageError } from './usage-error.js';

/** AWS region names: a partition prefix, words, a number (eu-west-1, us-gov-west-1, eusc-de-east-1). */
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

/**
 * The region an AWS command will call: `--region` when given, else AWS_REGION when set (the
 * SDK reads it first), else undefined for the SDK's own default. Either one malformed, empty
 * included, is a usage error naming where it came from, before any call: the SDK would
 * otherwise fail later with a hostname error.
 */
function regionOption(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) {
    if (!REGION.test(flag)) {
      throw new UsageError(
        `--region ${printable(JSON.stringify(flag))} is not an AWS region such as eu-west-1`
      );
    }
    return flag;
  }
  if (env !== undefined && !REGION.test(env)) {
    throw new UsageError(
      `AWS_REGION ${printable(JSON.stringify(env))} is not an AWS region such as eu-west-1: set it to one, unset it, or pass --region`
    );
  }
  return env;
}

export { regionOption };
