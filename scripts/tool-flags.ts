/**
 * Extract the command-line flags each Pacemaker tool accepts from a Pacemaker source tree
 * (a checkout or `git archive` of a release tag): the GOptionEntry tables of tools/*.c are
 * what `--help-all` prints (pacemakerd's in daemons/pacemakerd), and lib/common/cmdline.c adds the options every tool shares.
 * The output is a fixture of our own (test/fixtures/pacemaker/<version>/tool-flags.json)
 * that the dialect test checks every argv against.
 *
 *   node --import tsx scripts/tool-flags.ts /work/corpus/3.0.2 Pacemaker-3.0.2 > test/fixtures/pacemaker/3.0.2/tool-flags.json
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The tools HASF runs (crm_standby is a shell wrapper of crm_attribute: not read here). */
const TOOLS = ['crm_mon', 'crm_resource', 'crm_attribute', 'cibadmin', 'crm_simulate', 'crm_verify', 'stonith_admin', 'crm_node', 'crm_ticket', 'pacemakerd'];

/** One tool's flags: every spelling accepted, and those --help hides (deprecated or internal). */
export interface ToolFlags {
  flags: string[];
  hidden: string[];
}

// { "long-name", 'x', FLAGS, ...  — the flags may continue on the next line.
const ENTRY = /\{\s*"([A-Za-z0-9-]+)"\s*,\s*(?:'(.)'|0)\s*,\s*([A-Z_|0-9\s]+?)\s*,/g;

/** Every GOptionEntry of a C source. */
export function optionEntries(src: string): { long: string; short?: string; hidden: boolean }[] {
  const out: { long: string; short?: string; hidden: boolean }[] = [];
  for (const m of src.matchAll(ENTRY)) {
    out.push({ long: m[1]!, ...(m[2] && m[2] !== '\\' ? { short: m[2] } : {}), hidden: /HIDDEN/.test(m[3]!) });
  }
  return out;
}

function toolFlags(tree: string): Record<string, ToolFlags> {
  const common = optionEntries(readFileSync(join(tree, 'lib/common/cmdline.c'), 'utf8'));
  // glib adds these to every GOptionContext.
  const builtin = ['--help', '-h', '-?', '--help-all'];
  const out: Record<string, ToolFlags> = {};
  for (const tool of TOOLS) {
    const file = tool === 'pacemakerd' ? join(tree, 'daemons/pacemakerd/pacemakerd.c') : join(tree, 'tools', `${tool}.c`);
    if (!existsSync(file)) continue;
    const entries = [...optionEntries(readFileSync(file, 'utf8')), ...common];
    const flags = new Set(builtin);
    const hidden = new Set<string>();
    for (const e of entries) {
      const spellings = [`--${e.long}`, ...(e.short ? [`-${e.short}`] : [])];
      for (const s of spellings) {
        flags.add(s);
        if (e.hidden) hidden.add(s);
      }
    }
    out[tool] = { flags: [...flags].sort(), hidden: [...hidden].sort() };
  }
  return out;
}

const [tree, tag] = process.argv.slice(2);
if (!tree) {
  process.stderr.write('usage: node --import tsx scripts/tool-flags.ts PACEMAKER_TREE [TAG]\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ source: `${tag ?? tree}: tools/*.c GOptionEntry tables + lib/common/cmdline.c`, tools: toolFlags(tree) }, null, 1)}\n`);
