import { describe, expect, it } from 'vitest';
import { subscriptionProblem } from '../../../src/domain/actions/subscription-check.js';

const ARN = 'arn:aws:sns:eu-west-1:111122223333:pool-warden-notices:abc';

describe('subscriptionProblem', () => {
  it.each([
    ['an exact owner', '{"owner": ["alice@example.com"]}'],
    ['a bare string', '{"owner": "alice@example.com"}'],
    ['a case-insensitive match', '{"owner": [{"equals-ignore-case": "Alice@Example.com"}]}'],
    ['a narrowing status', '{"owner": ["alice@example.com"], "status": ["Failed"]}'],
  ])('accepts a filter naming its own address with %s', (_name, filterPolicy) => {
    // Act & Assess
    expect(subscriptionProblem({ arn: ARN, endpoint: 'alice@example.com', filterPolicy })).toBe(
      undefined
    );
  });

  it.each([
    ['no filter policy', undefined, /no filter policy/],
    ['two addresses', '{"owner": ["alice@example.com", "bob@example.com"]}', /exactly one/],
    ['a prefix', '{"owner": [{"prefix": "alice"}]}', /exactly one/],
    ['anything-but', '{"owner": [{"anything-but": "bob@example.com"}]}', /exactly one/],
    ['exists', '{"owner": [{"exists": true}]}', /exactly one/],
    ['an $or', '{"$or": [{"owner": ["alice@example.com"]}, {"team": ["x"]}]}', /\$or/],
    ['another address', '{"owner": ["bob@example.com"]}', /another address/],
    ['no owner key', '{"status": ["Failed"]}', /exactly one/],
    ['not JSON', '{owner', /not JSON/],
  ])('reports a subscription with %s', (_name, filterPolicy, problem) => {
    // Act
    const found = subscriptionProblem({
      arn: ARN,
      endpoint: 'alice@example.com',
      ...(filterPolicy === undefined ? {} : { filterPolicy }),
    });

    // Assess
    expect(found).toMatch(problem);
  });

  it('leaves a body-scoped policy alone: it receives nothing', () => {
    // Act & Assess
    expect(
      subscriptionProblem({
        arn: ARN,
        endpoint: 'alice@example.com',
        filterPolicy: '{"owner": ["x"]}',
        filterPolicyScope: 'MessageBody',
      })
    ).toBe(undefined);
  });
});
