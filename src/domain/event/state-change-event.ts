import { readTrainingJob, type TrainingJobSnapshot } from '../job/training-job.js';
import { dropUndefined, isRecord } from '../objects.js';
import { normalizeTags, type Tags } from './tags.js';
import { parseTimestamp } from './timestamp.js';

const SOURCE = 'aws.sagemaker';
const DETAIL_TYPE = 'SageMaker Training Job State Change';

/** A parsed "SageMaker Training Job State Change" event. */
interface StateChangeEvent {
  /** EventBridge event id; duplicates may share it or not, so it is not the dedupe key. */
  readonly id?: string;
  /** When EventBridge says the event happened, epoch ms. */
  readonly time?: number;
  readonly region: string;
  readonly account?: string;
  readonly job: TrainingJobSnapshot;
  /** `undefined` when the event carried no usable tags (look them up with ListTags). */
  readonly tags?: Tags;
  /** Optional fields that were present but malformed, and were ignored. */
  readonly warnings: readonly string[];
}

type ParseResult =
  | { readonly ok: true; readonly event: StateChangeEvent }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses what EventBridge delivers for SageMaker training job state changes, tolerating every
 * shape seen in practice (see `reference/sagemaker-warm-pools.md` §1.3). Never throws: anything
 * unusable comes back as `{ ok: false, reason }` naming the offending field.
 *
 * @example
 * const parsed = parseStateChangeEvent(JSON.parse(body));
 * if (!parsed.ok) park(parsed.reason);
 */
function parseStateChangeEvent(input: unknown): ParseResult {
  if (!isRecord(input)) return { ok: false, reason: 'event is not a JSON object' };
  if (input.source !== SOURCE) {
    return { ok: false, reason: `source is ${describe(input.source)}, expected "${SOURCE}"` };
  }
  if (input['detail-type'] !== DETAIL_TYPE) {
    return {
      ok: false,
      reason: `detail-type is ${describe(input['detail-type'])}, expected "${DETAIL_TYPE}"`,
    };
  }
  const read = readTrainingJob(input.detail, 'detail');
  if (!read.ok) return read;

  const warnings = [...read.warnings];
  const region = stringOrUndefined(input.region) ?? regionFromArn(read.job.arn);
  const time = input.time === undefined ? undefined : parseTimestamp(input.time);
  if (input.time !== undefined && time === undefined)
    warnings.push('time ignored: not a timestamp');
  const rawTags = isRecord(input.detail) ? input.detail.Tags : undefined;
  const tags = rawTags === undefined ? undefined : normalizeTags(rawTags);
  if (rawTags !== undefined && tags === undefined) {
    warnings.push('detail.Tags ignored: expected a list of {Key, Value} or a map');
  }

  const event: StateChangeEvent = dropUndefined({
    id: stringOrUndefined(input.id),
    time,
    region,
    account: stringOrUndefined(input.account),
    job: read.job,
    // An empty map is what the AWS sample sends, so it cannot be told from "no tags sent".
    tags: tags !== undefined && Object.keys(tags).length > 0 ? tags : undefined,
    warnings,
  });
  return { ok: true, event };
}

function regionFromArn(arn: string): string {
  // readTrainingJob already checked the ARN shape, so field 3 is the region.
  return arn.split(':')[3] ?? 'us-east-1';
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // BigInt and cyclic values cannot be serialised; the parser must still not throw.
    text = `a ${typeof value}`;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export type { ParseResult, StateChangeEvent };
export { parseStateChangeEvent };
