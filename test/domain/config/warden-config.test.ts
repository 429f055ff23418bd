import { describe, expect, it } from 'vitest';
import { isTimeZone, wardenConfig } from '../../../src/domain/config/warden-config.js';

describe('isTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])(
    'accepts the IANA zone %s',
    (zone) => {
      expect(isTimeZone(zone)).toBe(true);
    }
  );

  it.each(['Europe/Berln', 'Mars/Olympus_Mons', ''])('rejects %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });
});

describe('wardenConfig', () => {
  it('bounds describe attempts between 1 and 5, so the waits (1+2+4+8 s) fit the function timeout', () => {
    const base = { version: 1, owners: { fallback: 'a@example.com' } };

    expect(wardenConfig.safeParse({ ...base, notices: { describeAttempts: 1 } }).success).toBe(
      true
    );
    expect(wardenConfig.safeParse({ ...base, notices: { describeAttempts: 5 } }).success).toBe(
      true
    );
    expect(wardenConfig.safeParse({ ...base, notices: { describeAttempts: 0 } }).success).toBe(
      false
    );
    expect(wardenConfig.safeParse({ ...base, notices: { describeAttempts: 6 } }).success).toBe(
      false
    );
    expect(wardenConfig.safeParse({ ...base, notices: { describeAttempts: 2.5 } }).success).toBe(
      false
    );
  });

  it('requires a fallback contact, so no notice is ever lost', () => {
    expect(wardenConfig.safeParse({ version: 1, owners: {} }).success).toBe(false);
  });

  describe('notices.emailFrom', () => {
    const base = { version: 1, owners: { fallback: 'a@example.com' } };
    const issuesOf = (notices: object) => {
      const result = wardenConfig.safeParse({ ...base, notices });
      return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };

    it.each([
      ['a CR/LF and a Bcc header', 'Pool Warden <pw@example.com>\r\nBcc: mallory@evil.example'],
      ['a bare LF', 'pw@example.com\nX-Injected: 1'],
      ['a tab', 'Pool\tWarden <pw@example.com>'],
      ['an ANSI escape', '\u001b[31mWarden <pw@example.com>'],
      ['a Unicode line separator', 'Warden <pw@example.com>\u2028Bcc: m@evil.example'],
    ])('rejects an address with %s, naming the reason once', (_, from) => {
      expect(issuesOf({ emailFrom: from })).toEqual([
        'notices.emailFrom: must not contain control characters (CR, LF, tab…): they would add mail headers',
      ]);
    });

    it.each([
      'Pool Warden <pool-warden@example.com>',
      'warden@example.com',
      '"Warden, Pool" <w@example.com>',
    ])('accepts the From %s', (from) => {
      expect(issuesOf({ emailFrom: from })).toEqual([]);
    });

    it.each(['Pool Warden', 'a <b@c> <d@e>', '<>'])(
      'rejects %j, which is not one address',
      (from) => {
        expect(issuesOf({ emailFrom: from })).toEqual([
          'notices.emailFrom: is not a mail address (Name <name@example.com> or name@example.com)',
        ]);
      }
    );
  });

  describe('notices.email', () => {
    const base = { version: 1, owners: { fallback: 'a@example.com' } };
    const parse = (notices: object) => wardenConfig.safeParse({ ...base, notices });

    it('leaves the transport unset, meaning SNS, when the config says nothing', () => {
      const result = parse({});
      expect(result.success && result.data.notices.email).toBeUndefined();
    });

    it('defaults the transport to sns when the email section is present', () => {
      const result = parse({ email: {} });
      expect(result.success && result.data.notices.email).toEqual({ transport: 'sns' });
    });

    it('accepts SES with a real From, an identity ARN and a configuration set', () => {
      const email = {
        transport: 'ses',
        identityArn: 'arn:aws:ses:eu-west-1:111122223333:identity/example.com',
        configurationSet: 'pool-warden',
      };
      const result = parse({ emailFrom: 'Pool Warden <warden@example.com>', email });
      expect(result.success && result.data.notices.email).toEqual(email);
    });

    it('rejects SES while emailFrom is still the localhost placeholder', () => {
      const result = parse({ email: { transport: 'ses' } });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        [
          'notices.emailFrom',
          'SES sends from this address: set it to an address of your verified SES identity',
        ],
      ]);
    });

    it.each([
      [{ transport: 'smtp' }, 'transport'],
      [{ transport: 'ses', identityArn: 'example.com' }, 'identityArn'],
      [{ transport: 'ses', configurationSet: 'a b' }, 'configurationSet'],
      [{ transport: 'ses', region: 'eu-west-1' }, ''],
    ])('rejects %j at notices.email.%s', (email, field) => {
      const result = parse({ emailFrom: 'w@example.com', email });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path.join('.')).toBe(
        field === '' ? 'notices.email' : `notices.email.${field}`
      );
    });
  });
});
