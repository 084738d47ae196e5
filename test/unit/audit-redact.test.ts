import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretKey, redact, REDACTED } from '../../src/audit/index.ts';

const R = REDACTED;

describe('redact', () => {
  it('redacts bearer tokens and Authorization headers', () => {
    assert.equal(
      redact('curl -H "Authorization: Bearer eyJhbGciOi.abc.def" https://x'),
      `curl -H "Authorization: ${R}`,
    );
    assert.equal(
      redact('authorization=Basic dXNlcjpwYXNz\nnext line'),
      `authorization=${R}\nnext line`,
    );
    assert.equal(redact('sent Bearer abcdef0123456789 to it'), `sent Bearer ${R} to it`);
    assert.equal(redact('Proxy-Authorization: Digest xyz'), `Proxy-Authorization: ${R}`);
    // Prose is left alone.
    assert.equal(redact('the bearer of bad news'), 'the bearer of bad news');
  });

  it('redacts HASF API tokens and Slack tokens', () => {
    assert.equal(redact('token hasf_4f9a8b7c6d5e4f3a2b1c used'), `token hasf_${R} used`);
    for (const t of [
      'xoxb-1234-5678-abcdEFGH',
      'xoxp-1-2-3-abc',
      'xoxa-2-x',
      'xoxo-9-y',
      'xoxs-1-z',
      'xoxr-5-r',
      'xapp-1-A0123-456-abcdef',
    ]) {
      assert.equal(redact(`slack ${t} end`), `slack ${R} end`, t);
    }
    assert.equal(redact('xoxz-not-a-token'), 'xoxz-not-a-token');
  });

  it('redacts private key blocks, also when an excerpt cut them off', () => {
    const pem =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n-----END OPENSSH PRIVATE KEY-----';
    assert.equal(
      redact(`before\n${pem}\nafter`),
      `before\n-----BEGIN OPENSSH PRIVATE KEY-----${R}-----END OPENSSH PRIVATE KEY-----\nafter`,
    );
    const rsa = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    assert.ok(!redact(rsa).includes('MIIEow'));
    const plain = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----';
    assert.ok(!redact(plain).includes('MIIEvQ'));
    const truncated = 'key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB';
    assert.ok(!redact(truncated).includes('MHcCAQEEIB'));
    // A public key or certificate is not a secret.
    const pub = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    assert.equal(redact(pub), pub);
  });

  it('redacts password=, passwd:, secret=, token= and friends, keeping the label and quotes', () => {
    assert.equal(
      redact('mysql -u root password=hunter2 -h db'),
      `mysql -u root password=${R} -h db`,
    );
    assert.equal(redact('passwd: s3cr3t'), `passwd: ${R}`);
    assert.equal(redact('SECRET=abc TOKEN=def'), `SECRET=${R} TOKEN=${R}`);
    assert.equal(redact('client_secret="a b c"'), `client_secret="${R}"`);
    assert.equal(redact(`{"password":"x","user":"bob"}`), `{"password":"${R}","user":"bob"}`);
    assert.equal(redact('api_key=K1;x=1'), `api_key=${R};x=1`);
    assert.equal(redact('db_password: p@ss'), `db_password: ${R}`);
    assert.equal(redact('https://admin:pa55@host/path'), `https://admin:${R}@host/path`);
    assert.equal(redact('tokens: 5 found'), 'tokens: 5 found');
  });

  it('walks objects and arrays, replacing secret-named values whole, and leaves the input untouched', () => {
    const input = {
      host: 'node1',
      argv: ['crm_resource', '--move'],
      exit: 0,
      env: {
        PASSWORD: 'p',
        botToken: 'xoxb-1',
        client_secret: 's',
        tokenId: 'tok_123',
        apiKey: 42,
        authorization: 'Basic q',
      },
      output: ['line password=p1', { nested: 'Bearer abcdefghijkl' }],
      ok: true,
      none: null,
    };
    const copy = structuredClone(input);
    const out = redact(input);
    assert.deepEqual(input, copy);
    assert.deepEqual(out, {
      host: 'node1',
      argv: ['crm_resource', '--move'],
      exit: 0,
      env: {
        PASSWORD: R,
        botToken: R,
        client_secret: R,
        tokenId: 'tok_123',
        apiKey: R,
        authorization: R,
      },
      output: [`line password=${R}`, { nested: `Bearer ${R}` }],
      ok: true,
      none: null,
    });
  });

  it('is idempotent and handles cycles and non-plain values', () => {
    const s = 'password=a Bearer abcdefghijkl hasf_0123456789';
    assert.equal(redact(redact(s)), redact(s));
    const a: Record<string, unknown> = { x: 'token=t' };
    a.self = a;
    assert.deepEqual(redact(a), { x: `token=${R}`, self: '[Circular]' });
    assert.equal(redact(new Date(0)), '1970-01-01T00:00:00.000Z');
    assert.equal(redact(5), 5);
    assert.equal(redact(undefined), undefined);
  });

  it('tells secret keys from keys that merely mention a secret', () => {
    for (const k of [
      'password',
      'Passwd',
      'db-password',
      'secret',
      'clientSecret',
      'token',
      'slack_bot_token',
      'api-key',
      'privateKey',
      'Authorization',
      'cookie',
      'passphrase',
    ]) {
      assert.equal(isSecretKey(k), true, k);
    }
    for (const k of ['tokenId', 'tokenName', 'secretRef', 'user', 'host', 'passwordPolicy'])
      assert.equal(isSecretKey(k), false, k);
  });
});
