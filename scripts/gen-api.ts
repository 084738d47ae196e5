// `npm run gen:api`: write the catalogue's params schemas into openapi.yaml (between its
// generated-block markers), then regenerate src/api/openapi-types.ts from openapi.yaml.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withGeneratedSchemas } from '../src/api/params-spec.ts';

const root = join(import.meta.dirname, '..');
const specPath = join(root, 'openapi.yaml');
const before = readFileSync(specPath, 'utf8');
const after = withGeneratedSchemas(before);
if (after !== before) {
  writeFileSync(specPath, after);
  console.log('openapi.yaml: params schemas regenerated from the catalogue');
}
execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [specPath, '-o', join(root, 'src/api/openapi-types.ts')], { stdio: 'inherit' });
