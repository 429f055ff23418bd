import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetricsAdapter } from '../../../src/adapters/logging/powertools-metrics.js';

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

describe('powertools-metrics', () => {
  let lines: EmfLine[];

  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(JSON.parse(String(chunk)) as EmfLine);
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function adapter(): PowertoolsMetricsAdapter {
    return new PowertoolsMetricsAdapter(
      new PowertoolsMetrics({ namespace: 'PoolWarden', serviceName: 'pool-warden' })
    );
  }

  it('writes nothing until flushed, then one line summing each count with the service dimension', () => {
    // Prepare
    const metrics = adapter();
    metrics.count('NoticeSent');
    metrics.count('NoticeSent', 2);
    metrics.count('EventRejected');

    // Act
    const before = lines.length;
    metrics.flush();

    // Assess
    expect(before).toBe(0);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'PoolWarden',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'NoticeSent', Unit: 'Count' },
          { Name: 'EventRejected', Unit: 'Count' },
        ],
      },
    ]);
    expect(line).toMatchObject({ service: 'pool-warden', NoticeSent: 3, EventRejected: 1 });
  });

  it('writes a count with dimensions on its own line, so dimensions never mix', () => {
    // Prepare
    const metrics = adapter();
    metrics.count('NoticeSent');
    metrics.count('ChannelFailedPermanent', 1, { channel: 'slack' });
    metrics.count('ChannelFailedPermanent', 1, { channel: 'email' });
    metrics.count('ChannelFailedPermanent', 1, { channel: 'slack' });

    // Act
    metrics.flush();

    // Assess
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ NoticeSent: 1 });
    expect(lines[0]).not.toHaveProperty('channel');
    expect(lines[1]).toMatchObject({ channel: 'slack', ChannelFailedPermanent: 2 });
    expect(lines[1]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'channel']]);
    expect(lines[2]).toMatchObject({ channel: 'email', ChannelFailedPermanent: 1 });
  });

  it('writes nothing, not even a warning, when nothing was counted', () => {
    // Prepare
    const metrics = adapter();
    const warnings = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    metrics.flush();

    // Assess
    expect(lines).toEqual([]);
    expect(warnings).not.toHaveBeenCalled();
  });

  it('forgets what it wrote, so the next invocation starts from zero', () => {
    // Prepare
    const metrics = adapter();
    metrics.count('NoticeSent', 1, { channel: 'email' });
    metrics.flush();

    // Act
    metrics.flush();
    metrics.count('NoticeFallback');
    metrics.flush();

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ NoticeFallback: 1 });
    expect(lines[1]).not.toHaveProperty('channel');
    expect(lines[1]).not.toHaveProperty('NoticeSent');
  });

  it('drops empty dimension values rather than refusing the count', () => {
    // Prepare
    const metrics = adapter();
    metrics.count('ChannelFailedRetried', 1, { channel: '' });

    // Act
    metrics.flush();

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ ChannelFailedRetried: 1 });
    expect(lines[0]).not.toHaveProperty('channel');
  });
});
