import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/audit/index.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }),
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does', () => {
    // RFC 8785 §3.2.3 example order: "\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33".
    const o = {
      '\u20ac': 1,
      '\r': 2,
      '\ufb33': 3,
      '1': 4,
      '\ud83d\ude00': 5,
      '\u0080': 6,
      '\u00f6': 7,
    };
    assert.equal(canonicalJson(o), '{"\\r":2,"1":4,"\u0080":6,"ö":7,"€":1,"😀":5,"דּ":3}');
  });

  it('keeps unicode as is and escapes only what JSON requires', () => {
    assert.equal(canonicalJson('héllo ☃ 😀'), '"héllo ☃ 😀"');
    assert.equal(canonicalJson('a"b\\c\n\u0001'), '"a\\"b\\\\c\\n\\u0001"');
    // A lone surrogate survives the round trip as an escape.
    assert.equal(canonicalJson('\ud800'), '"\\ud800"');
    assert.equal(JSON.parse(canonicalJson('\ud800')), '\ud800');
  });

  it('writes numbers in the shortest round-trip form', () => {
    assert.equal(
      canonicalJson([1, 1.5, -0, 1e21, 1e-7, 0.1 + 0.2, 100, 2 ** 53]),
      '[1,1.5,0,1e+21,1e-7,0.30000000000000004,100,9007199254740992]',
    );
    assert.equal(canonicalJson([NaN, Infinity]), '[null,null]');
    assert.equal(canonicalJson(10n ** 20n), '"100000000000000000000"');
  });

  it('normalises what JSON cannot hold the way JSON.stringify does, so it is stable over a round trip', () => {
    const v = { a: undefined, b: [undefined, () => 1], c: new Date(0), d: null, e: true };
    const once = canonicalJson(v);
    assert.equal(once, '{"b":[null,null],"c":"1970-01-01T00:00:00.000Z","d":null,"e":true}');
    assert.equal(canonicalJson(JSON.parse(once)), once);
    assert.equal(canonicalJson(undefined), 'null');
  });

  it('refuses a circular structure with INVALID_INPUT', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    assert.throws(() => canonicalJson(a), { code: 'INVALID_INPUT' });
    // The same object twice (not a cycle) is fine.
    const shared = { x: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
  });
});
