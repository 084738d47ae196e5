import { HasfError } from '../errors/index.ts';

/**
 * Canonical JSON (RFC 8785 style): object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers serialised exactly as `JSON.stringify` does (which is
 * what JCS prescribes). Values that JSON cannot hold are normalised the way
 * `JSON.stringify` normalises them (undefined members dropped, undefined/functions in
 * arrays and non-finite numbers become null, `toJSON` honoured), so
 * `canonicalJson(JSON.parse(canonicalJson(v))) === canonicalJson(v)` for every input:
 * the MAC computed at append time is reproducible from what was stored.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, new Set());
  // A top-level undefined/function has no JSON form; null keeps the MAC input defined.
  return out ?? 'null';
}

function write(value: unknown, seen: Set<object>): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify gives the ECMAScript shortest round-trip form, -0 as 0, NaN/Infinity as null.
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      // JSON.parse would read a number back and lose precision; a string keeps the value exact.
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) {
    throw new HasfError(
      'INVALID_INPUT',
      'The audit details contain a circular reference; pass plain JSON data.',
      {},
    );
  }
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return '[' + obj.map((v) => write(v, seen) ?? 'null').join(',') + ']';
    }
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = write((obj as Record<string, unknown>)[key], seen);
      if (v !== undefined) parts.push(JSON.stringify(key) + ':' + v);
    }
    return '{' + parts.join(',') + '}';
  } finally {
    seen.delete(obj);
  }
}
