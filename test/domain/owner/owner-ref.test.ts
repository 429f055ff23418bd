import { describe, expect, it } from 'vitest';
import { classifyOwnerRef } from '../../../src/domain/owner/owner-ref.js';

const DIRECTORY = { alice: {}, 'ml-platform@example.com': {}, U0TEAM001: {} };

describe('classifyOwnerRef', () => {
  it('classifies a directory id as directory', () => {
    expect(classifyOwnerRef('alice', DIRECTORY)).toBe('directory');
  });

  it('prefers the directory when a directory id also looks like an email or a Slack id', () => {
    expect(classifyOwnerRef('ml-platform@example.com', DIRECTORY)).toBe('directory');
    expect(classifyOwnerRef('U0TEAM001', DIRECTORY)).toBe('directory');
  });

  it.each(['carol@example.com', 'first.last+ml@sub.example.co.uk'])(
    'classifies %s as an email address',
    (value) => {
      expect(classifyOwnerRef(value, DIRECTORY)).toBe('email');
    }
  );

  it.each(['U0CAROL99', 'W012A3CDE'])('classifies %s as a Slack member id', (value) => {
    expect(classifyOwnerRef(value, DIRECTORY)).toBe('slack');
  });

  it.each([
    ['an unknown name', 'carol'],
    ['a lower-case Slack-like id', 'u0carol99'],
    ['a channel id', 'C0123ABCD'],
    ['a too short member id', 'U123'],
    ['an address without a domain dot', 'carol@localhost'],
    ['an address with a display name', 'Carol <carol@example.com>'],
    ['an address with spaces', 'carol @example.com'],
    ['a Slack mention', '<@U0CAROL99>'],
    ['an empty string', ''],
  ])('classifies %s as unknown', (_label, value) => {
    expect(classifyOwnerRef(value, DIRECTORY)).toBe('unknown');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'does not mistake the Object prototype member %s for a directory id',
    (value) => {
      expect(classifyOwnerRef(value, DIRECTORY)).toBe('unknown');
    }
  );
});
