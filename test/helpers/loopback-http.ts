import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts listening on 127.0.0.1 with an OS-chosen port; resolves to `http://127.0.0.1:<port>`. */
async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Stops the server, dropping kept-alive client connections so it closes at once. */
async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** A loopback URL on which nothing listens: a port that was just opened and closed again. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listenOnLoopback(server);
  await closeServer(server);
  return url;
}

/** The whole request body as text. */
async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether the request carries a SigV4 Authorization header, as every AWS API demands. */
function isSigV4Signed(request: IncomingMessage): boolean {
  return String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
}

/** Static credentials and region for SDK clients pointed at a loopback server. */
function loopbackClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

export {
  closedPortUrl,
  closeServer,
  isSigV4Signed,
  listenOnLoopback,
  loopbackClientConfig,
  readBody,
};
