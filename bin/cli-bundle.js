// Decides whether bin/warden.js may run the built CLI (dist/warden.mjs, see
// scripts/build-cli.mjs) or must run the TypeScript sources through tsx.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bundle's path when it is fresh: built, with its list of sources, and no source changed
 * (or gone) since the build started. Anything else, a missing or unreadable file included,
 * means the sources are run instead, so an edit in src/ is never hidden by an old build.
 */
export function freshBundle(root) {
  try {
    const bundle = join(root, 'dist', 'warden.mjs');
    const { startedAt, inputs } = JSON.parse(
      readFileSync(join(root, 'dist', 'warden.inputs.json'), 'utf8')
    );
    if (typeof startedAt !== 'number' || !Array.isArray(inputs) || inputs.length === 0) {
      return undefined;
    }
    if (statSync(bundle).mtimeMs < startedAt) return undefined;
    for (const input of inputs) {
      if (statSync(join(root, input)).mtimeMs > startedAt) return undefined;
    }
    return bundle;
  } catch {
    return undefined;
  }
}
