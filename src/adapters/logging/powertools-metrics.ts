import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricName, Metrics } from '../../domain/ports/metrics.js';

/** CloudWatch takes dimension values up to 1024 characters; ours are short words. */
const MAX_DIMENSION_VALUE = 250;

interface Pending {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly counts: Map<MetricName, number>;
}

/**
 * The Metrics port as CloudWatch embedded-metric-format lines, through Powertools, in the
 * "PoolWarden" namespace with a `service` dimension. Counts are summed in memory and written
 * by `flush()`, which the handler's middleware calls once per invocation: one line per set of
 * dimensions, so a count with dimensions is never mixed into another's line.
 */
class PowertoolsMetricsAdapter implements Metrics {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly powertools: PowertoolsMetrics) {}

  count(name: MetricName, value = 1, dimensions: Readonly<Record<string, string>> = {}): void {
    const clean = cleanDimensions(dimensions);
    const key = JSON.stringify(Object.entries(clean).sort(([a], [b]) => a.localeCompare(b)));
    let group = this.pending.get(key);
    if (group === undefined) {
      group = { dimensions: clean, counts: new Map() };
      this.pending.set(key, group);
    }
    group.counts.set(name, (group.counts.get(name) ?? 0) + value);
  }

  /** Writes every count since the last flush and forgets them; writes nothing if none. */
  flush(): void {
    const groups = [...this.pending.values()];
    this.pending.clear();
    for (const { dimensions, counts } of groups) {
      if (Object.keys(dimensions).length > 0) this.powertools.addDimensions({ ...dimensions });
      for (const [name, total] of counts) this.powertools.addMetric(name, unitOf(name), total);
      this.powertools.publishStoredMetrics();
    }
  }
}

/** Dollars are not a count; CloudWatch has no currency unit, so they are unit-less. */
function unitOf(name: MetricName): (typeof MetricUnit)[keyof typeof MetricUnit] {
  return name.includes('Usd') ? MetricUnit.NoUnit : MetricUnit.Count;
}

/** Drops empty names and values (CloudWatch refuses them) and caps long values. */
function cleanDimensions(
  dimensions: Readonly<Record<string, string>>
): Readonly<Record<string, string>> {
  return Object.fromEntries(
    Object.entries(dimensions)
      .filter(([name, value]) => name.trim() !== '' && value.trim() !== '')
      .map(([name, value]) => [name, value.slice(0, MAX_DIMENSION_VALUE)])
  );
}

/** The deployed functions' metrics; handlers flush it with the publishMetrics middleware. */
const metrics = new PowertoolsMetricsAdapter(
  new PowertoolsMetrics({
    namespace: 'PoolWarden',
    // One dimension value per stage (serverless.yml), so two stages in one account never
    // trip each other's alarms.
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pool-warden',
  })
);

export { metrics, PowertoolsMetricsAdapter };
