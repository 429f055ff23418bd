import { readFile } from 'node:fs/promises';
import { normalizeTags } from '../domain/event/tags.js';
import { readTrainingJob } from '../domain/job/training-job.js';
import { isRecord } from '../domain/objects.js';
import type { DescribeFixture } from '../sim/replay-sagemaker.js';
import { fsReason } from './output-dir.js';
import { expandPaths, parseJson } from './read-inputs.js';
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
  if (paths.length === 0) return fixtures;
  for (const entry of (await expandPaths(paths)).entries) {
    if (!('file' in entry)) {
      throw new UsageError(
        `describe fixture ${entry.source}: ${'error' in entry ? entry.error : ''}`
      );
    }
    const { file } = entry;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`describe fixture ${file}: cannot read: ${fsReason(error)}`);
    }
    const parsed = parseJson(text.startsWith('\ufeff') ? text.slice(1) : text);
    if (!('value' in parsed)) {
      throw new UsageError(
        `describe fixture ${file}:${parsed.line}:${parsed.column}: ${parsed.error}`
      );
    }
    const { value } = parsed;
    const read = readTrainingJob(value, 'DescribeTrainingJob');
    if (!read.ok) throw new UsageError(`describe fixture ${file}: ${read.reason}`);
    const tags = isRecord(value) ? normalizeTags(value.Tags) : undefined;
    fixtures.set(read.job.name, { job: read.job, ...(tags ? { tags } : {}) });
  }
  return fixtures;
}

export { readDescribeFixtures };
