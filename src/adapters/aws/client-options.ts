/**
 * How every AWS SDK client of Pool Warden talks to AWS. Throttling is the normal state of
 * SageMaker's control plane (reference §6), so clients retry adaptively and more than the
 * default 3 times. And a dependency that accepts the connection but never answers must fail the
 * call, not hang it until Lambda's timeout: the SDK only warns about a request timeout unless
 * told to throw.
 */
function awsClientOptions(requestTimeoutMs = 5_000) {
  return {
    maxAttempts: 8,
    retryMode: 'adaptive',
    requestHandler: {
      connectionTimeout: Math.min(3_000, requestTimeoutMs),
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  } as const;
}

/** The options of the deployed functions' clients. */
const AWS_CLIENT_OPTIONS = awsClientOptions();

export { AWS_CLIENT_OPTIONS, awsClientOptions };
