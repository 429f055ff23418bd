import { describe, expect, it } from 'vitest';
import { IDLE_BIN_LABELS, NO_TEAM, Tally } from '../../../src/sim/policy-sim/metrics.js';
import { job, S, SETTINGS } from './sim-fixtures.js';

const MIN = 60 * S;

describe('Tally (what the table, JSON and report read)', () => {
  it('bins each pool by idle time with inclusive upper edges, and sums its instance-seconds', () => {
    // Prepare: 2-instance pools idle 0, exactly 1 min, 1 min + 1 ms, 6 and exactly 10 min, 3 h.
    const tally = new Tally();
    const pool = job(0, 1, { instanceCount: 2 });
    // Act
    for (const idleMs of [0, MIN, MIN + 1, 6 * MIN, 10 * MIN, 180 * MIN]) {
      tally.pool(pool, idleMs, 3.6);
    }
    const { idleHistogram, idleInstanceSeconds } = tally.result('p');
    // Assess
    expect(idleHistogram.map((b) => b.label)).toEqual([...IDLE_BIN_LABELS]);
    const byLabel = Object.fromEntries(
      idleHistogram.map((b) => [b.label, [b.pools, b.instanceSeconds]])
    );
    expect(byLabel).toEqual({
      '0': [1, 0],
      '≤ 1m': [1, 120],
      '1–5m': [1, 120.002],
      '5–10m': [2, 720 + 1200],
      '10–20m': [0, 0],
      '20–30m': [0, 0],
      '30m–1h': [0, 0],
      '1–2h': [0, 0],
      '> 2h': [1, 21_600],
    });
    expect(idleInstanceSeconds).toBe(120 + 120.002 + 720 + 1200 + 21_600);
  });

  it('lists teams by name, jobs without one under their own heading', () => {
    // Prepare
    const tally = new Tally();
    // Act
    for (const team of ['vision', undefined, 'data', 'nlp', 'data']) {
      tally.warm(job(0, 1, team === undefined ? { team: undefined } : { team }));
    }
    const teams = tally.result('p').teams;
    // Assess
    expect(teams.map((t) => [t.team, t.jobs])).toEqual([
      [NO_TEAM, 1],
      ['data', 2],
      ['nlp', 1],
      ['vision', 1],
    ]);
    expect(NO_TEAM).toBe('(no team)');
  });

  it("adds each team's cold starts and idle time to its own total", () => {
    // Prepare: fsx cold start at $36/h waiting, 30 billed s at $3.60/h: $1.17 + $0.03.
    const tally = new Tally();
    // Act
    tally.cold(job(0, 1, { team: 'a' }), 0, 3.6, SETTINGS);
    tally.pool(job(0, 1, { team: 'b' }), 100 * S, 3.6);
    const { teams, totalCostUsd } = tally.result('p');
    // Assess
    expect(teams.map((t) => [t.team, t.coldStarts, t.waitSeconds])).toEqual([
      ['a', 1, 117],
      ['b', 0, 0],
    ]);
    expect(teams[0]?.totalCostUsd).toBeCloseTo(1.2, 12);
    expect(teams[1]?.totalCostUsd).toBeCloseTo(0.1, 12);
    expect(totalCostUsd).toBeCloseTo(1.3, 12);
  });
});
