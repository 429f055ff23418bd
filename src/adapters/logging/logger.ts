import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact-secrets.js';

/**
 * The one logger of the service; handlers add the job ARN to every line it writes. Every
 * string it writes, error messages and `cause` chains included, passes the secret redactor.
 */
const logger = new Logger({ serviceName: 'pool-warden', jsonReplacerFn: redactingReplacer });

export { logger };
