import { describe, expect, it } from 'vitest';
import { isWardenCaller } from '../../src/handlers/steward-lambda-deps.js';

const ROLE = 'pool-warden-prod-us-east-1-evaluate';

describe('isWardenCaller', () => {
  const isWarden = isWardenCaller({ WARDEN_STEWARD_ROLE: ROLE });

  it("recognises the evaluator's own role in the hub account", () => {
    expect(
      isWarden(`arn:aws:sts::111122223333:assumed-role/${ROLE}/pool-warden-prod-evaluatePools`)
    ).toBe(true);
  });

  it("recognises the member role in a session named after the evaluator's role", () => {
    expect(
      isWarden(`arn:aws:sts::444455556666:assumed-role/pool-warden-member-eu-west-1/${ROLE}`)
    ).toBe(true);
  });

  it("recognises the actions function's role, whose clicks are already recorded as the person's", () => {
    const withActions = isWardenCaller({
      WARDEN_STEWARD_ROLE: ROLE,
      WARDEN_ACTIONS_ROLE: 'pool-warden-prod-us-east-1-actions',
    });
    expect(
      withActions(
        'arn:aws:sts::111122223333:assumed-role/pool-warden-prod-us-east-1-actions/pool-warden-prod-actions'
      )
    ).toBe(true);
    expect(
      isWarden('arn:aws:sts::111122223333:assumed-role/pool-warden-prod-us-east-1-actions/x')
    ).toBe(false);
  });

  it('takes a person for a person, in any account', () => {
    expect(isWarden('arn:aws:sts::444455556666:assumed-role/DataScientist/alice')).toBe(false);
    expect(isWarden(`arn:aws:iam::444455556666:user/${ROLE}`)).toBe(false);
  });
});
