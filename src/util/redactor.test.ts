import { describe, expect, it } from 'vitest';
import { Redactor, secretsInUse } from './redactor.js';

const SECRET = 'canary-9f3b2a71c4e8d605';

describe('Redactor', () => {
  const redactor = new Redactor([{ name: 'GATEWAY_TOKEN', value: SECRET }]);

  it('replaces a secret with a reference to its variable, wherever it sits in the text', () => {
    expect(redactor.text(`token=${SECRET}; again ${SECRET}`)).toBe(
      'token=${GATEWAY_TOKEN}; again ${GATEWAY_TOKEN}',
    );
  });

  it('finds the URL-encoded form', () => {
    const odd = new Redactor([{ name: 'KEY', value: 'a b/c+d=e&f?g' }]);
    expect(odd.text(`GET /v1?key=${encodeURIComponent('a b/c+d=e&f?g')}`)).toBe('GET /v1?key=${KEY}');
  });

  it('finds the base64 form at every alignment inside a longer encoded string (Basic auth)', () => {
    for (const user of ['', 'u', 'us', 'user']) {
      const header = Buffer.from(`${user}:${SECRET}`).toString('base64');
      const redacted = redactor.text(`Authorization: Basic ${header}`);
      expect(redacted, user).toContain('${GATEWAY_TOKEN}');
      // What is left of the encoding cannot be decoded back to the secret.
      expect(Buffer.from(redacted.replace(/.*Basic /, ''), 'base64').toString()).not.toContain(SECRET);
    }
  });

  it('walks JSON-like values and copies only what changed', () => {
    const clean = { a: 'x', list: ['y', { z: 1 }] };
    expect(redactor.value(clean)).toBe(clean);
    const dirty = { a: 'x', usage: { raw: { echoed: SECRET } }, list: [SECRET, 2] };
    const out = redactor.value(dirty);
    expect(out).toEqual({
      a: 'x',
      usage: { raw: { echoed: '${GATEWAY_TOKEN}' } },
      list: ['${GATEWAY_TOKEN}', 2],
    });
    expect(dirty.list[0]).toBe(SECRET);
  });

  it('leaves short values alone: redacting `true` or `1` would mangle every text', () => {
    const short = new Redactor([{ name: 'FLAG', value: 'true' }]);
    expect(short.empty).toBe(true);
    expect(short.text('true')).toBe('true');
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    const nested = new Redactor([
      { name: 'SHORT', value: 'abcdefgh' },
      { name: 'LONG', value: 'abcdefgh-ijklmnop' },
    ]);
    expect(nested.text('x abcdefgh-ijklmnop y abcdefgh')).toBe('x ${LONG} y ${SHORT}');
  });
});

describe('secretsInUse', () => {
  it('takes variables with credential-like names and the referenced ones, never others', () => {
    const secrets = secretsInUse(
      { OPENAI_API_KEY: 'sk-1234567890', HOME: '/root', MY_PASSWORD: 'hunter2hunter2', PATH: '/bin' },
      [{ name: 'GATEWAY', value: 'gw-1234567890' }],
    );
    expect(secrets.map((secret) => secret.name).sort()).toEqual(['GATEWAY', 'MY_PASSWORD', 'OPENAI_API_KEY']);
  });
});
