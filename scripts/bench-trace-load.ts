/**
 * How fast `readTrace` loads a large trace: writes 500,000 jobs of the benchmark trace as CSV
 * and as JSON Lines to a temporary folder, then times reading each back (best of 3).
 * Run: npx tsx scripts/bench-trace-load.ts [rows]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '../src/sim/trace/read-trace.js';
import { generateLargeTrace } from '../src/sim/trace/scenarios.js';
import { writeTrace } from '../src/sim/trace/write-trace.js';

async function bench(): Promise<void> {
  const rows = Number(process.argv[2] ?? 500_000);
  const dir = await mkdtemp(join(tmpdir(), 'warden-trace-bench-'));
  try {
    const started = performance.now();
    const trace = generateLargeTrace(rows, 1);
    process.stdout.write(
      `generateLargeTrace(${rows}): ${Math.round(performance.now() - started)} ms\n`
    );
    for (const ext of ['csv', 'jsonl']) {
      const file = join(dir, `bench.${ext}`);
      await writeTrace(trace, file);
      const { size } = await stat(file);
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const read = await readTrace(file);
        best = Math.min(best, performance.now() - t0);
        if (read.jobs.length !== rows) throw new Error(`read ${read.jobs.length} of ${rows} rows`);
      }
      const mb = (size / 1e6).toFixed(0);
      const perSecond = Math.round(rows / (best / 1000));
      process.stdout.write(
        `readTrace .${ext}: ${rows} rows (${mb} MB) in ${Math.round(best)} ms = ${perSecond} rows/s\n`
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await bench();
