import { describe, expect, it } from 'vitest';
import { MemoryCallerRegistry } from '../../../src/adapters/memory/memory-caller-registry.js';
import type { CallerRegistry } from '../../../src/domain/ports/caller-registry.js';
import { T0 } from '../../helpers/factories.js';

const JOB_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017';

describe('memory-caller-registry', () => {
  it('finds the caller when one was recorded for the job', async () => {
    // Prepare
    const registry: CallerRegistry = new MemoryCallerRegistry();
    const caller = { principal: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' };

    // Act
    await registry.record(JOB_ARN, caller, T0);

    // Assess
    expect(await registry.find(JOB_ARN)).toEqual(caller);
  });

  it('returns undefined when no caller was recorded for the job', async () => {
    // Act
    const found = await new MemoryCallerRegistry().find(JOB_ARN);

    // Assess
    expect(found).toBeUndefined();
  });
});
