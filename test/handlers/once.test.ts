import { describe, expect, it } from 'vitest';
import { once } from '../../src/handlers/once.js';

/** A build that fails the first `failures` times, counting its calls. */
function flakyBuild(failures: number) {
  let calls = 0;
  const build = async () => {
    calls += 1;
    if (calls <= failures) throw new Error(`secret not readable (call ${calls})`);
    return { built: calls };
  };
  return { build, calls: () => calls };
}

describe('once', () => {
  it('builds again on the next call after a failed build, instead of keeping the failure', async () => {
    // Prepare
    const flaky = flakyBuild(1);
    const deps = once(flaky.build);

    // Act
    const first = await deps().catch((e: unknown) => e);
    const second = await deps();

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second).toEqual({ built: 2 });
    expect(flaky.calls()).toBe(2);
  });

  it('keeps a successful build for every later call', async () => {
    // Prepare
    const flaky = flakyBuild(0);
    const deps = once(flaky.build);

    // Act
    const results = [await deps(), await deps(), await deps()];

    // Assess
    expect(results.every((r) => r === results[0])).toBe(true);
    expect(flaky.calls()).toBe(1);
  });

  it('shares one build between concurrent first calls', async () => {
    // Prepare
    const flaky = flakyBuild(0);
    const deps = once(flaky.build);

    // Act
    const [a, b] = await Promise.all([deps(), deps()]);

    // Assess
    expect(a).toBe(b);
    expect(flaky.calls()).toBe(1);
  });
});
