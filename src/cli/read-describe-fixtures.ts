import { readFile } from 'node:fs/promises';
import { normalizeTags } from '../domain/event/tags.js';
import { readTrainingJob } from '../domain/job/training-job.js';
import { isRecord } from '../domain/objects.js';
import type { DescribeFixture } from '../sim/replay-sagemaker.js';
import { expandPaths } from './read-inputs.js';
import { UsageError } from './usage-error.js';

/**
 * Loads DescribeTrainingJob answers (the JSON `aws sagemaker describe-training-job` prints),
 * optionally with a `Tags` field for ListTags, keyed by job name. A bad fixture is a usage
 * error: replaying against a half-read fixture would mislead.
 */
async function readDescribeFixtures(
  paths: readonly string[]
): Promise<Map<string, DescribeFixture>> {
  const fixtures = new Map<string, DescribeFixture>();
  for (const file of await expandPaths(paths)) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `describe fixture ${file}: ${error instanceof Error ? error.message : String(error)}`
      );
    }
    const read = readTrainingJob(value, 'DescribeTrainingJob');
    if (!read.ok) throw new UsageError(`describe fixture ${file}: ${read.reason}`);
    const tags = isRecord(value) ? normalizeTags(value.Tags) : undefined;
    fixtures.set(read.job.name, { job: read.job, ...(tags ? { tags } : {}) });
  }
  return fixtures;
}

export { readDescribeFixtures };
