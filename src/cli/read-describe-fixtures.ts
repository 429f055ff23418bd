import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
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
 * error: replaying against a half-read fixture would mislead. So is a job answered twice with
 * different fields: which one counted would depend on the order of the paths.
 */
async function readDescribeFixtures(
  paths: readonly string[]
): Promise<Map<string, DescribeFixture>> {
  const fixtures = new Map<string, DescribeFixture>();
  /** The file each job's answer came from, to name both when another disagrees. */
  const files = new Map<string, string>();
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
    const fixture = { job: read.job, ...(tags ? { tags } : {}) };
    const name = read.job.name;
    const earlier = fixtures.get(name);
    if (earlier !== undefined && !isDeepStrictEqual(earlier, fixture)) {
      throw new UsageError(
        `describe fixture ${file}: job "${name}" is described differently in ${files.get(name)}; keep one answer per job`
      );
    }
    fixtures.set(name, fixture);
    files.set(name, file);
  }
  return fixtures;
}

export { readDescribeFixtures };
