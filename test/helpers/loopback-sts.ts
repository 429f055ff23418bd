import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Clock } from '../../src/domain/ports/clock.js';
import { closeServer, isSigV4Signed, listenOnLoopback, readBody } from './loopback-http.js';

/** A role the fake lets callers assume, and the credentials it hands out for it. */
interface FakeRole {
  readonly externalId: string;
  /** The access key id of every session of this role, so a test can recognise its calls. */
  readonly accessKeyId: string;
}

/** One AssumeRole call as the server saw it. */
interface AssumeRoleCall {
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string>>;
}

const SESSION_MS = 3_600_000;

/**
 * AWS STS on loopback, in its query protocol: `POST /` with a form-encoded, SigV4-signed body
 * (`Action=AssumeRole&Version=2011-06-15&RoleArn=…&ExternalId=…`), XML answers. It grants
 * the roles it was given when the external id matches, and answers AccessDenied otherwise,
 * word for word as STS does. Sessions last an hour of `clock` time.
 */
class LoopbackSts {
  readonly calls: AssumeRoleCall[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly roles: ReadonlyMap<string, FakeRole>,
    private readonly clock: Pick<Clock, 'now'>
  ) {}

  static async start(
    roles: Readonly<Record<string, FakeRole>>,
    clock: Pick<Clock, 'now'>
  ): Promise<LoopbackSts> {
    let sts: LoopbackSts | undefined;
    const server = createServer((request, response) => {
      void sts?.handle(request, response);
    });
    sts = new LoopbackSts(
      server,
      await listenOnLoopback(server),
      new Map(Object.entries(roles)),
      clock
    );
    return sts;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const params = Object.fromEntries(new URLSearchParams(await readBody(request)));
    const reply = this.answer(request, params);
    response.writeHead(reply.status, {
      'content-type': 'text/xml',
      'x-amzn-requestid': randomUUID(),
    });
    response.end(reply.body);
  }

  private answer(
    request: IncomingMessage,
    params: Record<string, string>
  ): { status: number; body: string } {
    if (!isSigV4Signed(request)) {
      return error(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    }
    if (params.Action !== 'AssumeRole' || params.Version !== '2011-06-15') {
      return error(
        400,
        'InvalidAction',
        `Could not find operation ${params.Action} for version ${params.Version}`
      );
    }
    this.calls.push({ headers: request.headers, params });
    const roleArn = params.RoleArn ?? '';
    const role = this.roles.get(roleArn);
    if (role === undefined || role.externalId !== params.ExternalId) {
      return error(
        403,
        'AccessDenied',
        `User: arn:aws:sts::111122223333:assumed-role/hub/session is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`
      );
    }
    const expiration = new Date(this.clock.now() + SESSION_MS).toISOString();
    const session = params.RoleSessionName ?? 'session';
    const [, , , , account = '', resource = ''] = roleArn.split(':');
    const body = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${role.accessKeyId}</AccessKeyId>
      <SecretAccessKey>secret-${role.accessKeyId}</SecretAccessKey>
      <SessionToken>token-${randomUUID()}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-${resource}/${session}</Arn>
      <AssumedRoleId>AROAFAKE:${session}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
    return { status: 200, body };
  }
}

function error(status: number, code: string, message: string): { status: number; body: string } {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>`,
  };
}

/** The access key id a SigV4 Authorization header was signed with. */
function accessKeyOf(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1];
}

export type { AssumeRoleCall, FakeRole };
export { accessKeyOf, LoopbackSts };
