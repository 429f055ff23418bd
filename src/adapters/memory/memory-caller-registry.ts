import type { JobCaller } from '../../domain/owner/job-caller.js';
import type { CallerRegistry } from '../../domain/ports/caller-registry.js';

class MemoryCallerRegistry implements CallerRegistry {
  private readonly callers = new Map<string, JobCaller>();

  async record(jobArn: string, caller: JobCaller): Promise<void> {
    this.callers.set(jobArn, caller);
  }

  async find(jobArn: string): Promise<JobCaller | undefined> {
    return this.callers.get(jobArn);
  }
}

export { MemoryCallerRegistry };
