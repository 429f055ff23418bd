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
});
