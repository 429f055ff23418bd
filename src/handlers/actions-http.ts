import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { actionPage, PAGE_HEADERS } from '../adapters/actions/action-pages.js';
import type { ActionSecrets } from '../adapters/actions/action-secrets.js';
import {
  HAND_OFF_DETAIL_TYPE,
  HAND_OFF_SOURCE,
  type SlackHandOff,
  type SlackWork,
} from '../adapters/actions/eventbridge-hand-off.js';
import type { SlackReplier } from '../adapters/actions/slack-response-url.js';
import {
  reportSubscriptionFindings,
  type SubscriptionFinding,
} from '../adapters/actions/sns-subscription-check.js';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { confirmText, outcomeReply, tokenReply } from '../domain/actions/action-reply.js';
import { type TokenVerdict, verifyActionToken } from '../domain/actions/action-token.js';
import { extensionTarget } from '../domain/actions/extension-bounds.js';
import {
  type ActionDeps,
  type ActionOutcome,
  ownerZone,
  performAction,
} from '../domain/actions/perform-action.js';
import {
  isSlackResponseUrl,
  parseInteraction,
  verifySlackSignature,
} from '../domain/actions/slack-interaction.js';
import { escapeMrkdwn } from '../domain/notice/slack-text.js';
import { isRecord } from '../domain/objects.js';
import { isGone } from '../domain/pool/pool-record.js';
import { actionsDeps } from './actions-lambda-deps.js';
import { logFailure } from './middleware/log-failure.js';
import { type MetricsSink, publishMetrics } from './middleware/publish-metrics.js';
import { once } from './once.js';

/** Everything the actions endpoints need: the use case's ports plus secrets and Slack plumbing. */
interface ActionsHttpDeps extends ActionDeps {
  readonly secrets: ActionSecrets;
  /** `actions.maxLinkLifetime`, for the expired-link page. */
  readonly maxLinkLifetimeMs: number;
  /** Hands Slack clicks to the asynchronous worker; absent (local runs): the work is done inline. */
  readonly handOff?: SlackHandOff;
  readonly slackReply: SlackReplier;
  /** Accept http://127.0.0.1 response URLs (local runs and tests only). */
  readonly allowLoopbackResponseUrl?: boolean;
  /** The hourly check of the notice topic's email subscriptions; absent without SNS email. */
  readonly checkSubscriptions?: () => Promise<readonly SubscriptionFinding[]>;
}

type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** A link's form is tiny; a Slack payload with a notice's blocks is a few KB. */
const MAX_LINK_BODY_BYTES = 4 * 1024;
const MAX_SLACK_BODY_BYTES = 16 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const TOKEN_PATH = /^\/a\/([A-Za-z0-9_-]{1,1024})\/?$/;
const SLACK_PATH = '/slack/interactions';

function page(
  status: number,
  title: string,
  message: string,
  form?: Parameters<typeof actionPage>[2]
): HttpResult {
  return {
    statusCode: status,
    headers: { ...PAGE_HEADERS },
    body: actionPage(title, message, form),
  };
}

function plain(status: number, text: string): HttpResult {
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: text,
  };
}

interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The request with lower-cased header names and the body as bytes, or a 413 when it is too big. */
function readRequest(event: APIGatewayProxyEventV2, limit: number): HttpRequest | HttpResult {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? '';
  // Checked before decoding, so a huge body costs nothing to refuse.
  if (raw.length > (event.isBase64Encoded ? Math.ceil(limit / 3) * 4 + 4 : limit * 4)) {
    return plain(413, 'request body too large');
  }
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > limit) return plain(413, 'request body too large');
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '/',
    headers,
    body,
  };
}

function mediaType(headers: Readonly<Record<string, string>>): string | undefined {
  const value = headers['content-type'];
  return value === undefined ? undefined : (value.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Routes one API Gateway (HTTP API, payload v2) request:
 * - `GET /a/{token}`: a confirmation page with one button; changes nothing (scanners follow GETs).
 * - `POST /a/{token}`: verifies the token, performs the action, shows the result in plain words.
 * - `POST /slack/interactions`: verifies Slack's signature, hands the click off, answers at once.
 *
 * @example const result = await routeActionsRequest(event, deps);
 */
async function routeActionsRequest(
  event: APIGatewayProxyEventV2,
  deps: ActionsHttpDeps
): Promise<HttpResult> {
  const path = event.rawPath ?? '/';
  const isSlack = path === SLACK_PATH;
  const request = readRequest(event, isSlack ? MAX_SLACK_BODY_BYTES : MAX_LINK_BODY_BYTES);
  if ('statusCode' in request) return refuse(deps, request, 'too-large');
  if (isSlack) {
    if (request.method !== 'POST') return plain(405, 'method not allowed');
    if (mediaType(request.headers) !== FORM) {
      return refuse(deps, plain(415, `expected ${FORM}`), 'content-type');
    }
    return slackInteraction(request, deps);
  }
  const token = TOKEN_PATH.exec(path)?.[1];
  if (token === undefined) return page(404, 'Not found', 'There is nothing here.');
  if (request.method === 'GET' || request.method === 'HEAD') return confirmPage(token, deps);
  if (request.method !== 'POST') return plain(405, 'method not allowed');
  const type = mediaType(request.headers);
  if ((type !== undefined || request.body.length > 0) && type !== FORM) {
    return refuse(deps, plain(415, `expected ${FORM}`), 'content-type');
  }
  return act(token, deps);
}

function refuse(deps: ActionsHttpDeps, result: HttpResult, reason: string): HttpResult {
  deps.metrics.count('ActionRequestRefused', 1, { reason });
  return result;
}

/** The link's verified token, or the page that says why it does not work. */
async function verifyLink(
  token: string,
  deps: ActionsHttpDeps
): Promise<Extract<TokenVerdict, { ok: true }> | HttpResult> {
  const verdict = verifyActionToken(token, await deps.secrets.actionKeys(), deps.clock.now());
  if (verdict.ok) return verdict;
  const reply = tokenReply(verdict.reason, deps.maxLinkLifetimeMs);
  return refuse(deps, page(reply.status, reply.title, reply.message), verdict.reason);
}

async function confirmPage(token: string, deps: ActionsHttpDeps): Promise<HttpResult> {
  const verdict = await verifyLink(token, deps);
  if ('statusCode' in verdict) return verdict;
  const { grant } = verdict;
  const pool = await deps.store.getPool(grant.jobArn, grant.creationTime);
  const jobName = grant.jobArn.slice(grant.jobArn.lastIndexOf('/') + 1);
  if (pool === undefined) {
    return page(
      404,
      'No such pool',
      `Pool Warden does not track a warm pool for training job ${jobName}. Nothing was changed.`
    );
  }
  if (isGone(pool.state)) {
    return page(
      410,
      'The pool is gone',
      `The warm pool of ${jobName} has already ended or was taken by another job. Nothing was changed.`
    );
  }
  const target =
    grant.action.kind === 'extend'
      ? extensionTarget(pool.endTime, grant.action.keepAliveSeconds)
      : undefined;
  const text = confirmText(grant.action, pool.jobName, target, ownerZone(deps.config, pool));
  return page(200, text.title, text.message, {
    button: text.button,
    danger: grant.action.kind === 'release',
  });
}

async function act(token: string, deps: ActionsHttpDeps): Promise<HttpResult> {
  const verdict = await verifyLink(token, deps);
  if ('statusCode' in verdict) return verdict;
  const outcome = await performAction(
    { grant: verdict.grant, nonce: verdict.nonce, actor: { kind: 'link' } },
    deps
  );
  const reply = outcomeReply(outcome, zoneOf(outcome, deps));
  return page(reply.status, reply.title, reply.message);
}

function zoneOf(outcome: ActionOutcome, deps: ActionsHttpDeps): string {
  return 'pool' in outcome ? ownerZone(deps.config, outcome.pool) : deps.config.defaults.timeZone;
}

async function slackInteraction(request: HttpRequest, deps: ActionsHttpDeps): Promise<HttpResult> {
  const secret = await deps.secrets.signingSecret();
  if (secret === undefined)
    return refuse(deps, plain(404, 'Slack interactivity is not configured'), 'no-signing-secret');
  const work: SlackWork = {
    body: request.body.toString('base64'),
    timestamp: request.headers['x-slack-request-timestamp'] ?? '',
    signature: request.headers['x-slack-signature'] ?? '',
  };
  const verified = verifySlackSignature(
    { rawBody: request.body, timestamp: work.timestamp, signature: work.signature },
    secret,
    deps.clock.now()
  );
  if (!verified.ok) return refuse(deps, plain(401, 'invalid request signature'), verified.reason);
  const parsed = parseInteraction(request.body);
  if (!parsed.ok) return refuse(deps, plain(400, 'not a Pool Warden button'), 'payload');
  if (deps.handOff === undefined) await slackWork(work, deps);
  else await deps.handOff.handOff(work);
  // Slack needs an answer within 3 seconds; the message is updated through response_url.
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
}

/**
 * The asynchronous half of a Slack click: verify the request again (the hand-off event could
 * have been put by anyone allowed to use the bus), act, and update the message through its
 * response_url: replaced without buttons when the click settled the pool, else a note to the
 * clicker only.
 */
const HAND_OFF_MAX_AGE_SECONDS = 30 * 60;

async function slackWork(work: SlackWork, deps: ActionsHttpDeps): Promise<void> {
  const secret = await deps.secrets.signingSecret();
  const rawBody = Buffer.from(work.body, 'base64');
  const now = deps.clock.now();
  if (
    secret === undefined ||
    !verifySlackSignature(
      { rawBody, timestamp: work.timestamp, signature: work.signature },
      secret,
      now,
      // The front door held the request to Slack's 5 minutes; here the check is only that the
      // request is Slack's, and a hand-off delayed by throttling must still be answered (a
      // response_url stays valid for 30 minutes).
      HAND_OFF_MAX_AGE_SECONDS
    ).ok
  ) {
    deps.log.error('Slack hand-off refused: its signature does not verify', {});
    deps.metrics.count('ActionRequestRefused', 1, { reason: 'hand-off-signature' });
    return;
  }
  const parsed = parseInteraction(rawBody);
  if (!parsed.ok) return;
  const { click } = parsed;
  if (!isSlackResponseUrl(click.responseUrl, deps.allowLoopbackResponseUrl === true)) {
    deps.log.warn('Slack click with a response_url not on hooks.slack.com; not answered', {
      userId: click.userId,
    });
    return;
  }
  // A button's value is a Slack-only token: an email link pasted into a payload does nothing.
  const verdict = verifyActionToken(click.token, await deps.secrets.actionKeys(), now, 'slack');
  if (!verdict.ok) {
    deps.metrics.count('ActionRequestRefused', 1, { reason: verdict.reason });
    const reply = tokenReply(verdict.reason, deps.maxLinkLifetimeMs);
    await deps.slackReply.reply(click.responseUrl, {
      text: reply.message,
      replace_original: false,
      response_type: 'ephemeral',
    });
    return;
  }
  let outcome: ActionOutcome;
  try {
    outcome = await performAction(
      {
        grant: verdict.grant,
        nonce: verdict.nonce,
        actor: {
          kind: 'slack',
          userId: click.userId,
          ...(click.userName === undefined ? {} : { userName: click.userName }),
        },
      },
      deps
    );
  } catch (error) {
    deps.log.error('Slack action failed', { error, userId: click.userId });
    await deps.slackReply.reply(click.responseUrl, {
      text: 'Pool Warden could not do that just now. Nothing was changed that it knows of; try again in a minute.',
      replace_original: false,
      response_type: 'ephemeral',
    });
    return;
  }
  const reply = outcomeReply(outcome, zoneOf(outcome, deps));
  // A second click must not replace the message that says who did what: it gets a note only.
  const settled = reply.done || outcome.kind === 'gone';
  if (!settled) {
    await deps.slackReply.reply(click.responseUrl, {
      text: reply.message,
      replace_original: false,
      response_type: 'ephemeral',
    });
    return;
  }
  const kept = click.blocks.filter((block) => !(isRecord(block) && block.type === 'actions'));
  await deps.slackReply.reply(click.responseUrl, {
    text: reply.message,
    replace_original: true,
    blocks: [
      ...kept,
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(reply.message) }] },
    ],
  });
}

function isHandOffEvent(event: unknown): event is { detail: SlackWork } {
  if (!isRecord(event) || event.source !== HAND_OFF_SOURCE) return false;
  if (event['detail-type'] !== HAND_OFF_DETAIL_TYPE || !isRecord(event.detail)) return false;
  const { body, timestamp, signature } = event.detail;
  return typeof body === 'string' && typeof timestamp === 'string' && typeof signature === 'string';
}

function isScheduledCheck(event: unknown): boolean {
  return (
    isRecord(event) && event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event'
  );
}

/** An HTTP API request, or an EventBridge event: a Slack hand-off or the hourly check. */
type ActionsEvent =
  | APIGatewayProxyEventV2
  | { readonly source: string; readonly 'detail-type': string; readonly detail: unknown };

/**
 * The actions function: HTTP API requests, and the Slack hand-offs EventBridge delivers to it
 * asynchronously. Failures inside an HTTP request become a generic 500 page naming the request
 * id; internals never reach the user.
 *
 * @example export const handler = createActionsHandler(actionsDeps);
 */
function createActionsHandler(
  loadDeps: () => Promise<ActionsHttpDeps>,
  log: Logger = logger,
  sink: MetricsSink = metrics
) {
  const deps = once(loadDeps);
  return middy(async (event: ActionsEvent, context: Context): Promise<HttpResult | undefined> => {
    if (isScheduledCheck(event)) {
      const resolved = await deps();
      if (resolved.checkSubscriptions !== undefined) {
        const findings = await resolved.checkSubscriptions();
        reportSubscriptionFindings(findings, resolved.log, resolved.metrics);
        log.info('email subscriptions checked', { findings: findings.length });
      }
      return undefined;
    }
    if (isHandOffEvent(event)) {
      await slackWork(event.detail, await deps());
      return undefined;
    }
    try {
      return await routeActionsRequest(event as APIGatewayProxyEventV2, await deps());
    } catch (error) {
      log.error('action request failed', { error });
      return page(
        500,
        'Something went wrong',
        `Pool Warden could not finish this request (reference ${context.awsRequestId}). Try the link again in a minute: it says so if the pool already changed.`
      );
    }
  })
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logFailure(log))
    .use(publishMetrics(sink));
}

const handler = createActionsHandler(actionsDeps);

export type { ActionsEvent, ActionsHttpDeps, HttpResult };
export { createActionsHandler, handler, routeActionsRequest, slackWork };
