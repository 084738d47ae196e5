import type { ZodTypeAny } from 'zod';

/** Unwrap defaults, optionals, nullables and effects down to the schema that holds the shape. */
function unwrap(s: ZodTypeAny): ZodTypeAny {
  for (;;) {
    const def = s._def as { typeName?: string; innerType?: ZodTypeAny; schema?: ZodTypeAny };
    if (def.innerType) s = def.innerType;
    else if (def.typeName === 'ZodEffects' && def.schema) s = def.schema;
    else return s;
  }
}

/**
 * The keys a zod object schema allows at `path` (array positions skipped), for "did you
 * mean" hints on unknown keys. Empty when the path leads to no object.
 */
export function knownKeysAt(schema: ZodTypeAny, path: ReadonlyArray<string | number>): string[] {
  let s = unwrap(schema);
  for (const seg of path) {
    const def = s._def as { typeName?: string; type?: ZodTypeAny; shape?: () => Record<string, ZodTypeAny> };
    if (def.typeName === 'ZodArray' && typeof seg === 'number' && def.type) s = unwrap(def.type);
    else if (def.typeName === 'ZodObject' && def.shape) {
      const next = def.shape()[String(seg)];
      if (!next) return [];
      s = unwrap(next);
    } else return [];
  }
  const def = s._def as { typeName?: string; shape?: () => Record<string, ZodTypeAny> };
  return def.typeName === 'ZodObject' && def.shape ? Object.keys(def.shape()) : [];
}
