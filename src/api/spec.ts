/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is untyped YAML, walked generically */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../util/package-root.ts';

/** Where the REST contract lives: openapi.yaml at the package root (the same from the sources and the build). */
export const SPEC_PATH = join(PACKAGE_ROOT, 'openapi.yaml');

/** The raw text of openapi.yaml (served at /openapi.yaml): read when asked, not held (~130 KB of heap). */
export const specText = (): string => readFileSync(SPEC_PATH, 'utf8');

/** A loosely typed OpenAPI document; only what the validators and the docs page read. */
export interface OpenApiDoc {
  info: { title: string; version: string; summary?: string; description?: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; parameters: Record<string, any>; responses: Record<string, any> };
}

// The build carries the document already parsed (dist/openapi.json, which npm run build
// writes from openapi.yaml): parsing 68 KB of YAML at every start costs ~100 ms and ~20 MB
// of heap V8 keeps. From the sources (no such file two folders up) the YAML is parsed.
const BUILT_SPEC = fileURLToPath(new URL('../../openapi.json', import.meta.url));

/** The parsed document. */
export const SPEC: OpenApiDoc = (existsSync(BUILT_SPEC) ? JSON.parse(readFileSync(BUILT_SPEC, 'utf8')) : parse(specText())) as OpenApiDoc;

const SPEC_ID = 'https://hasf.invalid/openapi.json';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function makeAjv(coerce: boolean): Ajv2020 {
  // strict: false because OpenAPI adds keywords (x-hasf-params, example) JSON Schema lacks.
  const ajv = new Ajv2020({ strict: false, allErrors: false, coerceTypes: coerce ? 'array' : false, useDefaults: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: SPEC.components });
  return ajv;
}

// Bodies are validated as sent; query strings arrive as text, so that ajv coerces.
const bodyAjv = makeAjv(false);
const queryAjv = makeAjv(true);

/** A compiled validator for a component schema, e.g. schemaValidator('Job'). */
export function schemaValidator(name: string): ValidateFunction {
  const v = bodyAjv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
  if (!v) throw new Error(`openapi.yaml has no schema ${name}`);
  return v;
}

/** One operation of the spec, found by operationId. */
export interface SpecOperation {
  id: string;
  method: string;
  path: string;
  def: any;
}

/** Every operation of the spec by operationId. */
export const OPERATIONS_BY_ID: ReadonlyMap<string, SpecOperation> = new Map(
  Object.entries(SPEC.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => [item[m].operationId as string, { id: item[m].operationId as string, method: m, path, def: { ...item[m], parameters: [...(item.parameters ?? []), ...(item[m].parameters ?? [])] } }] as const),
  ),
);

/** An operation, or a thrown Error when the spec lacks it (a programming error). */
export function specOperation(id: string): SpecOperation {
  const op = OPERATIONS_BY_ID.get(id);
  if (!op) throw new Error(`openapi.yaml has no operation ${id}`);
  return op;
}

// Schemas compiled outside the document point into it by absolute URI.
function absolutize(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(absolutize);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? SPEC_ID + v : absolutize(v)]),
  );
}

function deref(p: any): any {
  if (p?.$ref) return SPEC.components.parameters[String(p.$ref).split('/').pop()!];
  return p;
}

/** Validators of one operation's query string, path parameters and JSON body. */
export interface RequestValidators {
  query: ValidateFunction;
  path: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  headers: { name: string; validate: ValidateFunction }[];
}

const built = new Map<string, RequestValidators>();

/** The request validators of an operation, compiled from its spec once per process. */
export function requestValidators(id: string): RequestValidators {
  let v = built.get(id);
  if (!v) built.set(id, (v = buildValidators(id)));
  return v;
}

function buildValidators(id: string): RequestValidators {
  const op = specOperation(id);
  const params = (op.def.parameters as any[]).map(deref);
  const objectOf = (where: string, extra: boolean) => {
    const ps = params.filter((p) => p.in === where);
    return {
      type: 'object',
      additionalProperties: extra,
      properties: Object.fromEntries(ps.map((p) => [p.name, p.schema])),
      required: ps.filter((p) => p.required).map((p) => p.name),
    };
  };
  const bodySchema = op.def.requestBody?.content?.['application/json']?.schema;
  return {
    // Unknown query parameters are refused like unknown body fields.
    query: queryAjv.compile({ $id: `${SPEC_ID}/q/${id}`, ...absolutize(objectOf('query', false)) }),
    path: bodyAjv.compile({ $id: `${SPEC_ID}/p/${id}`, ...absolutize(objectOf('path', true)) }),
    body: bodySchema ? bodyAjv.compile({ $id: `${SPEC_ID}/b/${id}`, ...absolutize(bodySchema) }) : undefined,
    bodyRequired: !!op.def.requestBody?.required,
    headers: params
      .filter((p) => p.in === 'header')
      .map((p) => ({ name: String(p.name).toLowerCase(), validate: bodyAjv.compile({ $id: `${SPEC_ID}/h/${id}/${p.name}`, ...absolutize(p.schema) }) })),
  };
}

/** The name of the params schema of an operation (the x-hasf-params map of OperationParams, generated from the catalogue). */
export function paramsSchemaName(operation: string): string | undefined {
  return SPEC.components.schemas.OperationParams['x-hasf-params'][operation];
}

/** One line for a person from an ajv error: which field, what is wrong. */
export function describeAjvError(e: ErrorObject, where: string): { field: string; message: string } {
  let field = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (e.keyword === 'required') field = [field, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    field = [field, extra].filter(Boolean).join('.');
    return { field, message: `${where} field "${field}" is not known; remove it (see /docs).` };
  }
  if (e.keyword === 'required') return { field, message: `${where} field "${field}" is required (see /docs).` };
  return { field, message: `${where} field "${field || '(root)'}" ${e.message ?? 'is invalid'}; see /docs.` };
}

/**
 * Validate a response body against the spec (used by the tests: every answer they get
 * must be what openapi.yaml promises). Returns the ajv errors, or null when valid.
 */
export function checkResponse(id: string, status: number, contentType: string, body: unknown): ErrorObject[] | null {
  const op = specOperation(id);
  let r = op.def.responses[String(status)];
  if (!r) return [{ instancePath: '', keyword: 'status', params: {}, schemaPath: '', message: `status ${status} is not documented for ${id}` } as ErrorObject];
  if (r.$ref) r = SPEC.components.responses[String(r.$ref).split('/').pop()!];
  if (!r.content) return null;
  const type = contentType.split(';')[0]!.trim();
  const media = r.content[type];
  if (!media) return [{ instancePath: '', keyword: 'content-type', params: {}, schemaPath: '', message: `content type ${type} is not documented for ${id} ${status}` } as ErrorObject];
  const key = `${SPEC_ID}/r/${id}/${status}/${type}`;
  const v = bodyAjv.getSchema(key) ?? bodyAjv.compile({ $id: key, ...absolutize(media.schema) });
  return v(body) ? null : (v.errors ?? []);
}
