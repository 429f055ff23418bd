import type { WardenConfig } from './warden-config.js';

/** How the config has notices emailed: the stack's SNS topic unless it says SES. */
function emailTransportOf(config: WardenConfig): 'sns' | 'ses' {
  return config.notices.email?.transport ?? 'sns';
}

/**
 * Whether the topic's email subscriptions must be checked: action links by email reach people
 * through the topic only with a filter per address, so with SNS and links, every hour.
 */
function checksEmailSubscriptions(config: WardenConfig): boolean {
  return emailTransportOf(config) === 'sns' && config.actions?.baseUrl !== undefined;
}

export { checksEmailSubscriptions, emailTransportOf };
