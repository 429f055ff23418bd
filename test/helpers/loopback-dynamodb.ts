import type { Server } from 'node:http';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { closeServer, listenOnLoopback, loopbackClientConfig } from './loopback-http.js';

/** A DynamoDB (dynalite) on loopback, with the service's table created as serverless.yml does. */
class LoopbackDynamo {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    /** The real SDK client, pointed at this server. */
    readonly client: DynamoDBClient
  ) {}

  static async start(): Promise<LoopbackDynamo> {
    const server = dynalite({ createTableMs: 0 });
    const endpoint = await listenOnLoopback(server);
    return new LoopbackDynamo(server, endpoint, new DynamoDBClient(loopbackClientConfig(endpoint)));
  }

  /**
   * WardenTable of serverless.yml: `pk` (S) hash, `sk` (S) range, on-demand billing, and the
   * pool store's two indexes, `due` (`gsi1pk`, `gsi1sk`) and `bykey` (`gsi2pk`, `gsi2sk`),
   * both projecting every attribute.
   */
  async createWardenTable(tableName: string): Promise<void> {
    const index = (name: string, hash: string, range: string) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' as const },
        { AttributeName: range, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    });
    await this.client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S' as const,
        })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          index('due', 'gsi1pk', 'gsi1sk'),
          index('bykey', 'gsi2pk', 'gsi2sk'),
        ],
      })
    );
    await this.untilActive(tableName);
  }

  /**
   * dynalite turns a new table ACTIVE on a timer; on a busy machine a test's first write can
   * come before it and meet ResourceNotFoundException. Wait for the server to say so.
   */
  private async untilActive(tableName: string): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexes = Table?.GlobalSecondaryIndexes ?? [];
      if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`table ${tableName} did not become ACTIVE`);
  }

  /** The stored item, read back consistently, or undefined. */
  async item(
    tableName: string,
    pk: string,
    sk: string
  ): Promise<Record<string, AttributeValue> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
      })
    );
    return Item;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await closeServer(this.server);
  }
}

export { LoopbackDynamo };
