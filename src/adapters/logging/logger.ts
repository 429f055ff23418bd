import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of the service; handlers add the job ARN to every line it writes. */
const logger = new Logger({ serviceName: 'pool-warden' });

export { logger };
