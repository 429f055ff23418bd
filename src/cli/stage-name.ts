import { UsageError } from './usage-error.js';

/** What `serverless deploy --stage S` takes, and what the stage's resource names are built of. */
const STAGE = /^[A-Za-z0-9-]+$/;

/** Refuses a `--stage` that cannot name a deployed stage (a UsageError, exit 2). */
function checkStage(stage: string): void {
  if (!STAGE.test(stage)) {
    throw new UsageError(`--stage "${stage}" is not a stage name (letters, digits and -)`);
  }
}

export { checkStage };
