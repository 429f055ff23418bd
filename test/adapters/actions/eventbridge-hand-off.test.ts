import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeHandOff } from '../../../src/adapters/actions/eventbridge-hand-off.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { LoopbackEventBridge } from '../../helpers/loopback-eventbridge.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';

const WORK = {
  body: 'cGF5bG9hZD0lN0IlN0Q=',
  timestamp: '1764165600',
  signature: `v0=${'a'.repeat(64)}`,
};

describe('eventbridge-hand-off', () => {
  let bus: LoopbackEventBridge;
  let client: EventBridgeClient;

  beforeAll(async () => {
    bus = await LoopbackEventBridge.start();
    client = new EventBridgeClient({ ...loopbackClientConfig(bus.endpoint), maxAttempts: 1 });
  });

  beforeEach(() => bus.reset());

  afterAll(async () => {
    client.destroy();
    await bus.stop();
  });

  it('puts the signed click on the bus for the actions rule', async () => {
    // Act
    await new EventBridgeHandOff(client).handOff(WORK);

    // Assess
    const [[entry]] = bus.sentBatches() as [[Record<string, unknown>]];
    expect(entry).toMatchObject({
      Source: 'pool-warden.actions',
      DetailType: 'Slack Button Clicked',
    });
    expect(JSON.parse(String(entry.Detail))).toEqual(WORK);
  });

  it('raises when PutEvents refuses the entry', async () => {
    // Prepare
    bus.failEntries(() => true, 'AccessDeniedException');

    // Act & Assess
    await expect(new EventBridgeHandOff(client).handOff(WORK)).rejects.toBeInstanceOf(
      DependencyError
    );
  });
});
