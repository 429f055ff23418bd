import type { JobCaller } from '../owner/job-caller.js';

/** Remembers who created each training job, from CloudTrail, for owner resolution. */
interface CallerRegistry {
  record(jobArn: string, caller: JobCaller, now: number): Promise<void>;
  find(jobArn: string): Promise<JobCaller | undefined>;
}

export type { CallerRegistry };
