import { stringify } from 'yaml';
import { FINDING_CODES } from '../operations/check/index.ts';
import { OPERATIONS, OPERATION_NAMES } from '../operations/index.ts';

/**
 * The one definition of each operation's params is its catalogue entry (src/operations).
 * openapi.yaml carries a copy for ticketing systems and the generated types, between two
 * marker lines that `npm run gen:api` rewrites from the catalogue; a test fails when the
 * copy is stale. Nothing between the markers is edited by hand.
 */
export const GENERATED_BEGIN = '    # >>> generated from the operation catalogue (src/operations) by `npm run gen:api`: edit the catalogue, not these lines';
export const GENERATED_END = '    # <<< end of the generated schemas';

/** The component name of an operation's params: `vm.migrate` → `VmMigrateParams`. */
export function paramsComponentName(operation: string): string {
  return operation
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('') + 'Params';
}

/** The generated component schemas: OperationName, OperationParams (with its map), one XxxParams per operation, CheckFindingCode. */
export function generatedSchemas(): Record<string, unknown> {
  const map = Object.fromEntries(OPERATION_NAMES.map((op) => [op, paramsComponentName(op)]));
  const out: Record<string, unknown> = {
    OperationName: { type: 'string', enum: [...OPERATION_NAMES] },
    OperationParams: {
      type: 'object',
      additionalProperties: true,
      description: "The operation's parameters: the schema named for the operation in x-hasf-params (also served by GET /v1/operations).",
      'x-hasf-params': map,
    },
  };
  for (const op of OPERATION_NAMES) out[paramsComponentName(op)] = JSON.parse(JSON.stringify(OPERATIONS[op].paramsSchema));
  out.CheckFindingCode = { type: 'string', description: 'The stable code of a cluster.check finding.', enum: [...FINDING_CODES] };
  return out;
}

/** The block's YAML text, markers included, indented to sit under components.schemas. */
export function renderGeneratedBlock(): string {
  // YAML 1.1 quoting, so 'off' and 'on' stay strings for every reader of the file.
  const body = stringify(generatedSchemas(), { version: '1.1', lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `${GENERATED_BEGIN}\n${body}\n${GENERATED_END}\n`;
}

/** `specText` with its generated block replaced by the catalogue's; throws when the markers are missing. */
export function withGeneratedSchemas(specText: string): string {
  const start = specText.indexOf(GENERATED_BEGIN);
  const end = specText.indexOf(GENERATED_END);
  if (start < 0 || end < start) throw new Error('openapi.yaml lacks the generated-schemas markers under components.schemas');
  const after = specText.indexOf('\n', end) + 1;
  return specText.slice(0, start) + renderGeneratedBlock() + specText.slice(after);
}
