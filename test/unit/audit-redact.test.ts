import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretKey, isSecretName, keptOutput, redact, redactString, REDACTED } from '../../src/audit/index.ts';
import { chapLinesByFile, chapLinesToKeep, FILE_MARK } from '../../src/storage/tgt-files.ts';

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

  it('redacts secret-named nvpairs in XML, in either attribute order and quoting', () => {
    const cib = [
      '<primitive id="fence-ipmi" class="stonith" type="fence_ipmilan">',
      '  <instance_attributes id="fence-ipmi-ia">',
      '    <nvpair id="a1" name="ipaddr" value="10.0.0.9"/>',
      '    <nvpair id="a2" name="passwd" value="S3cr&amp;t"/>',
      "    <nvpair value='pw2' id='a3' name='pcmk_reboot_password'/>",
      '    <nvpair id="a4" name="snmp_community" value="private"/>',
      '    <nvpair id="a5" name="hexadecimal_kg" value="0123abcd"/>',
      '    <nvpair id="a6" name="pcmk_host_list" value="node1 node2"/>',
      '  </instance_attributes>',
      '</primitive>',
    ].join('\n');
    const out = redactString(cib);
    for (const secret of ['S3cr&amp;t', 'pw2', 'private', '0123abcd']) assert.ok(!out.includes(secret), secret);
    assert.match(out, /name="passwd" value="\[REDACTED\]"/);
    assert.match(out, /value='\[REDACTED\]' id='a3' name='pcmk_reboot_password'/);
    assert.match(out, /name="ipaddr" value="10\.0\.0\.9"/);
    assert.match(out, /name="pcmk_host_list" value="node1 node2"/);
    // Pacemaker's own list of secure parameter names is not a secret.
    assert.equal(redactString('op-secure-params="  passwd  "'), 'op-secure-params="  passwd  "');
  });

  it('redacts the text forms: passwd=…, community=…, CHAP lines; and {name, value} objects', () => {
    assert.equal(redactString('fence_ipmilan ipaddr=10.0.0.9 login=admin passwd=S3cret'), `fence_ipmilan ipaddr=10.0.0.9 login=admin passwd=${R}`);
    assert.equal(redactString('snmp_community=public x'), `snmp_community=${R} x`);
    assert.equal(redactString('    incominguser alice Chap-Secret-4711\n'), `    incominguser alice ${R}\n`);
    assert.deepEqual(redact([{ name: 'passwd', value: 'x1' }, { name: 'ipaddr', value: '10.0.0.1' }]), [{ name: 'passwd', value: R }, { name: 'ipaddr', value: '10.0.0.1' }]);
    for (const n of ['passwd', 'password', 'pcmk_off_password', 'snmp_priv_passwd', 'snmp_community', 'secret_key', 'access_key', 'key', 'ssh_key', 'hexadecimal_kg'])
      assert.equal(isSecretName(n), true, n);
    for (const n of ['pcmk_host_list', 'ipaddr', 'login', 'spool', 'monkey', 'keyring', 'port']) assert.equal(isSecretName(n), false, n);
  });

  it('keeps __proto__ keys as data instead of dropping them', () => {
    const parsed = JSON.parse('{"__proto__":{"password":"x","a":1},"b":2}');
    const out = redact(parsed) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__', 'b']);
    assert.equal(JSON.stringify(out), `{"__proto__":{"password":"${R}","a":1},"b":2}`);
  });

  it('keptOutput: a whole CIB is never kept; other output is redacted before it is cut', () => {
    const cib = `<?xml version="1.0"?>\n<cib epoch="3"><configuration>${'<nvpair name="x" value="y"/>'.repeat(200)}<nvpair name="passwd" value="S3cret"/></configuration></cib>\n`;
    const kept = keptOutput(cib, '');
    assert.match(kept, /^\[CIB document, \d+ bytes: not kept/);
    assert.ok(!kept.includes('S3cret'));
    // A secret near a cut is redacted first, so no cut can separate it from its name.
    const long = `${'x'.repeat(990)}<nvpair name="passwd" value="S3cret"/>${'y'.repeat(3000)}`;
    const k2 = keptOutput(long, 'stderr passwd=S3cret');
    assert.ok(!k2.includes('S3cret'), k2);
    assert.ok(k2.length < 2100);
  });
});

describe('tgt CHAP lines kept across rewrites', () => {
  const target = { tid: 1, iqn: 'iqn.2026-11.t:a', luns: [], acl: ['ALL'], accounts: ['alice', 'out1 (outgoing)'] };
  const dump = [
    `${FILE_MARK}/etc/tgt/targets.conf`,
    '### a comment that looks like a header',
    'include /etc/tgt/conf.d/*.conf',
    `${FILE_MARK}/etc/tgt/conf.d/hasf-iqn.2026-11.t_a.conf`,
    '<target iqn.2026-11.t:a>',
    '    incominguser alice pwA-123456',
    '    incominguser gone pwG-123456',
    '</target>',
    `${FILE_MARK}/etc/tgt/conf.d/site.conf`,
    '<target iqn.2026-11.t:a>',
    '    outgoinguser out1 pwO-123456   # the site admin keeps this one',
    '</target>',
    '<target iqn.2026-11.t:other>',
    '    incominguser alice elsewhere-pw',
    '</target>',
  ].join('\n');
  const own = '/etc/tgt/conf.d/hasf-iqn.2026-11.t_a.conf';

  it('keeps its own lines for accounts still bound; leaves lines of other files to them', () => {
    const byFile = chapLinesByFile(dump, target.iqn);
    assert.deepEqual(byFile.get('/etc/tgt/conf.d/site.conf')!.map((l) => l.user), ['out1']);
    assert.deepEqual(chapLinesToKeep(target, byFile, own, 'store1').map((l) => l.line), ['incominguser alice pwA-123456']);
  });

  it('refuses an account bound only at runtime (CHAP_NOT_PERSISTABLE), naming the file to put it in', () => {
    const t = { ...target, accounts: ['bob'] };
    assert.throws(() => chapLinesToKeep(t, chapLinesByFile(dump, t.iqn), own, 'store1'), (e: Error & { code?: string }) => e.code === 'CHAP_NOT_PERSISTABLE' && e.message.includes(own) && e.message.includes('incominguser bob PASSWORD'));
  });
});
