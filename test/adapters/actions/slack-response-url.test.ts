import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createResponseUrlReplier } from '../../../src/adapters/actions/slack-response-url.js';
import { DeliveryError } from '../../../src/domain/errors.js';
import { closeServer, listenOnLoopback, readBody } from '../../helpers/loopback-http.js';

describe('slack-response-url', () => {
  let server: Server;
  let url: string;
  let received: { body: string; type: string | undefined }[];
  let status: number;

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      received.push({ body: await readBody(request), type: request.headers['content-type'] });
      response.writeHead(status).end('ok');
    });
    url = `${await listenOnLoopback(server)}/actions/T0/1/abc`;
  });

  beforeEach(() => {
    received = [];
    status = 200;
  });

  afterAll(async () => {
    await closeServer(server);
  });

  it('posts the message as JSON to the response URL', async () => {
    // Act
    await createResponseUrlReplier().reply(url, { text: 'done', replace_original: true });

    // Assess
    expect(received).toEqual([
      { body: '{"text":"done","replace_original":true}', type: 'application/json; charset=utf-8' },
    ]);
  });

  it('raises a DeliveryError when Slack refuses', async () => {
    // Prepare
    status = 404;

    // Act & Assess
    await expect(
      createResponseUrlReplier().reply(url, { text: 'x', replace_original: false })
    ).rejects.toBeInstanceOf(DeliveryError);
  });
});
