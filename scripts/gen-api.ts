// `npm run gen:api`: write the catalogue's params schemas into openapi.yaml (between its
// generated-block markers), the CLI's index of operation commands (src/cli/op-index.json),
// then regenerate src/api/openapi-types.ts from openapi.yaml.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withGeneratedSchemas } from '../src/api/params-spec.ts';
import { opIndexSource } from '../src/cli/op-commands.ts';

const root = join(import.meta.dirname, '..');
const specPath = join(root, 'openapi.yaml');
const before = readFileSync(specPath, 'utf8');
const after = withGeneratedSchemas(before);
if (after !== before) {
  writeFileSync(specPath, after);
  console.log('openapi.yaml: params schemas regenerated from the catalogue');
}
const indexPath = join(root, 'src/cli/op-index.json');
const index = opIndexSource();
if (readFileSync(indexPath, 'utf8') !== index) {
  writeFileSync(indexPath, index);
  console.log('src/cli/op-index.json: regenerated from the catalogue');
}
execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [specPath, '-o', join(root, 'src/api/openapi-types.ts')], { stdio: 'inherit' });
