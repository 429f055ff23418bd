/** The Slack credentials a deployment holds: one bot token and named incoming webhooks. */
interface SlackSecrets {
  botToken(): Promise<string>;
  webhookUrl(name: string): Promise<string>;
}

export type { SlackSecrets };
