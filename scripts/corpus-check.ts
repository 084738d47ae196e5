/**
 * The corpus check: HASF's parsers judged by Pacemaker's own regression corpus.
 *
 *   node --import tsx scripts/corpus-check.ts DIR… [--simulate N|all|none] [--show N] [--json FILE]
 *
 * Each DIR is a checkout or an extracted release tag of ClusterLabs/pacemaker (e.g.
 * `git archive Pacemaker-3.0.2 cts | tar -x -C DIR`). Its scheduler inputs
 * (cts/scheduler/xml, pengine/test10, pengine/testcases) are parsed with parseCib and
 * compared — nodes (online, standby, unclean, maintenance, pending, member/remote/guest) and
 * placements (which instance is active where, in which role) — with the scheduler's own
 * reading, the summary's "Current cluster status". Eras without summaries (0.6, 1.0) are
 * judged by the summary of the same test in a later DIR given, when both inputs hold the
 * same operation history. Every crm_mon XML block of cts/cli/regression.crm_mon.exp is
 * parsed and its counts compared with the XML's own. Optionally each summary's
 * "Transition Summary" is parsed and compared with what the local `crm_simulate -x -S`
 * prints for the same input.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCib } from '../src/cluster/parse-cib.ts';
import { parseCrmMonXml, flattenResources } from '../src/cluster/parse-crm-mon.ts';
import { parseTransitionSummary } from '../src/cluster/parse-simulate.ts';
import { readCibConfig } from '../src/cluster/cib-config.ts';
import { kid, kids, parseXml, parseXmlReference } from '../src/cluster/xml.ts';
import { compare, modelView, type Disagreement } from './corpus-check/compare.ts';
import { parseSummary, type Summary } from './corpus-check/summary.ts';
import { historyFingerprint } from './corpus-check/fingerprint.ts';

interface Era {
  label: string;
  dir: string;
  inputs: { name: string; xml: string; summary?: string }[];
  crmMon?: string;
}

function discover(dir: string): Era {
  const label = basename(dir.replace(/\/+$/, ''));
  const layouts: [string, string | undefined][] = [
    ['cts/scheduler/xml', 'cts/scheduler/summary'],
    ['pengine/test10', 'pengine/test10'],
    ['pengine/testcases', undefined],
  ];
  for (const [xmlDir, sumDir] of layouts) {
    const x = join(dir, xmlDir);
    if (!existsSync(x)) continue;
    const inputs = readdirSync(x)
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .map((f) => {
        const name = f.slice(0, -4);
        const s = sumDir ? join(dir, sumDir, `${name}.summary`) : undefined;
        return { name, xml: join(x, f), ...(s && existsSync(s) ? { summary: s } : {}) };
      });
    const crmMon = [join(dir, 'cts/cli/regression.crm_mon.exp')].find((p) => existsSync(p));
    return { label, dir, inputs, ...(crmMon ? { crmMon } : {}) };
  }
  throw new Error(`${dir}: no cts/scheduler/xml, pengine/test10 or pengine/testcases here`);
}

interface EraResult {
  era: string;
  inputs: number;
  judged: number;
  agree: number;
  crashes: { name: string; error: string }[];
  noReference: number;
  referenceFrom?: string;
  disagreements: { name: string; items: Disagreement[] }[];
  ms: number;
}

function args() {
  const dirs: string[] = [];
  let simulate: number | 'all' | 'none' = 'none';
  let show = 20;
  let json: string | undefined;
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--simulate') simulate = a[i + 1] === 'all' ? 'all' : a[i + 1] === 'none' ? 'none' : Number(a[i + 1]);
    else if (a[i] === '--show') show = Number(a[i + 1]);
    else if (a[i] === '--json') json = a[i + 1];
    else {
      dirs.push(a[i]!);
      continue;
    }
    i++;
  }
  return { dirs, simulate, show, json };
}

function main(): void {
  const { dirs, simulate, show, json } = args();
  if (!dirs.length) {
    process.stderr.write('usage: node --import tsx scripts/corpus-check.ts PACEMAKER_DIR… [--simulate N|all|none] [--show N] [--json FILE]\n');
    process.exit(2);
  }
  const t0 = performance.now();
  const eras = dirs.map(discover);
  // Reference summaries for eras without their own: the first later era that has them.
  const results: EraResult[] = [];
  const summaryCache = new Map<string, { summary: string; fp: string }>();
  const refFor = (i: number) => eras.slice(i + 1).find((e) => e.inputs.some((x) => x.summary));
  for (const [i, era] of eras.entries()) {
    const t = performance.now();
    const own = era.inputs.some((x) => x.summary);
    const ref = own ? undefined : refFor(i);
    const res: EraResult = { era: era.label, inputs: era.inputs.length, judged: 0, agree: 0, crashes: [], noReference: 0, disagreements: [], ms: 0, ...(ref ? { referenceFrom: ref.label } : {}) };
    for (const input of era.inputs) {
      const xml = readFileSync(input.xml, 'utf8');
      let status;
      try {
        // Files from disk: recover from malformed tags as the era's libxml2 did.
        status = parseCib(xml, { recover: true });
      } catch (e) {
        res.crashes.push({ name: input.name, error: (e as Error).message });
        continue;
      }
      let summaryText: string | undefined;
      if (input.summary) summaryText = readFileSync(input.summary, 'utf8');
      else if (ref) {
        const other = ref.inputs.find((x) => x.name === input.name && x.summary);
        if (other) {
          const key = other.xml;
          let cached = summaryCache.get(key);
          if (!cached) {
            cached = { summary: readFileSync(other.summary!, 'utf8'), fp: historyFingerprint(readFileSync(other.xml, 'utf8')) };
            summaryCache.set(key, cached);
          }
          if (cached.fp === historyFingerprint(xml)) summaryText = cached.summary;
        }
      }
      if (!summaryText) {
        res.noReference++;
        continue;
      }
      const conf = readCibConfig(kid(kid(parseXml(xml, 'cib', undefined, true), 'cib'), 'configuration'));
      const groupMembers = groupsOf(xml);
      const summary: Summary = parseSummary(summaryText, (id) => (conf.primitives.has(id) ? undefined : groupMembers.get(id)));
      const diffs = compare(modelView(status), summary);
      res.judged++;
      if (diffs.length === 0) res.agree++;
      else res.disagreements.push({ name: input.name, items: diffs });
    }
    res.ms = performance.now() - t;
    results.push(res);
  }
  const crmMon = eras.filter((e) => e.crmMon).map((e) => checkCrmMon(e.label, e.crmMon!));
  const sim = simulate === 'none' ? undefined : checkTransitions(eras, simulate);
  const totalMs = performance.now() - t0;

  // Report.
  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '-');
  console.log('Scheduler inputs: nodes and placements vs the summary\'s "Current cluster status"');
  console.log('era       inputs  judged  agree   agreement  crashes  no-reference  time');
  for (const r of results) {
    console.log(
      `${r.era.padEnd(9)} ${String(r.inputs).padStart(6)}  ${String(r.judged).padStart(6)}  ${String(r.agree).padStart(5)}   ${pct(r.agree, r.judged).padStart(7)} %  ${String(r.crashes.length).padStart(7)}  ${String(r.noReference).padStart(12)}  ${(r.ms / 1000).toFixed(1)} s${r.referenceFrom ? `   (judged by ${r.referenceFrom}'s summaries of the same history)` : ''}`,
    );
  }
  for (const r of results) {
    for (const c of r.crashes) console.log(`CRASH ${r.era}/${c.name}: ${c.error}`);
    for (const d of r.disagreements.slice(0, show)) console.log(`DISAGREE ${r.era}/${d.name}: ${d.items.map((x) => x.detail).join('; ')}`);
    if (r.disagreements.length > show) console.log(`… ${r.disagreements.length - show} more in ${r.era} (--show N)`);
  }
  console.log('\ncrm_mon XML blocks of regression.crm_mon.exp: counts vs the XML\'s own');
  for (const c of crmMon) {
    console.log(`${c.era}: ${c.blocks} blocks, ${c.ok} with equal counts, ${c.crashes.length} crashes`);
    for (const b of c.bad.slice(0, show)) console.log(`  ${b}`);
    for (const b of c.crashes) console.log(`  CRASH ${b}`);
  }
  if (sim) {
    console.log('\nTransition Summary: the summary parsed vs the local crm_simulate -x NAME.xml -S, parsed');
    for (const s of sim) console.log(`${s.era}: ${s.sampled} sampled, ${s.agree} agree, ${s.differ} differ, ${s.refused} refused by the local tool`);
    for (const s of sim) for (const d of s.examples.slice(0, Math.min(show, 5))) console.log(`  ${s.era}/${d}`);
  }
  console.log(`\nWall time: ${(totalMs / 1000).toFixed(1)} s`);
  if (json) writeFileSync(json, JSON.stringify({ results, crmMon, sim, totalMs }, null, 1));
}

/** Group id → member primitive ids (clone lists in summaries name the group). */
function groupsOf(xml: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const re = /<group\b[^>]*\bid="([^"]+)"[^>]*>([\s\S]*?)<\/group>/g;
  for (const m of xml.matchAll(re)) out.set(m[1]!, [...m[2]!.matchAll(/<primitive\b[^>]*\bid="([^"]+)"/g)].map((x) => x[1]!));
  return out;
}

interface CrmMonResult {
  era: string;
  blocks: number;
  ok: number;
  bad: string[];
  crashes: string[];
}

/** Every `<pacemaker-result …>` block: parse it, count nodes and resource instances, compare with the XML's own. */
function checkCrmMon(era: string, file: string): CrmMonResult {
  const text = readFileSync(file, 'utf8');
  const out: CrmMonResult = { era, blocks: 0, ok: 0, bad: [], crashes: [] };
  const tests = text.split(/^=#=#=#= Begin test: /m).slice(1);
  for (const t of tests) {
    const name = t.slice(0, t.indexOf(' =#=#=#='));
    const m = /<pacemaker-result[\s\S]*?<\/pacemaker-result>/.exec(t);
    if (!m || !/<nodes>|<resources>|<nodes\/>|<resources\/>/.test(m[0])) continue;
    out.blocks++;
    const xml = m[0];
    let s;
    try {
      s = parseCrmMonXml(xml);
    } catch (e) {
      out.crashes.push(`${name}: ${(e as Error).message}`);
      continue;
    }
    const nodesSec = /<nodes>([\s\S]*?)<\/nodes>/.exec(xml)?.[1] ?? '';
    const resSec = /<resources>([\s\S]*?)<\/resources>/.exec(xml)?.[1] ?? '';
    // Top-level <node> elements only (--group-by-node nests resources and their nodes inside).
    const xmlNodes = kids(kid(kid(parseXmlReference(xml), 'pacemaker-result'), 'nodes'), 'node').length;
    void nodesSec;
    const xmlResources = (resSec.match(/<resource\s/g) ?? []).length;
    const xmlFailures = (/<failures>([\s\S]*?)<\/failures>/.exec(xml)?.[1]?.match(/<failure\s/g) ?? []).length;
    const instances = flattenResources(s.resources)
      .filter((r) => r.kind === 'primitive')
      .reduce((n, r) => n + (r.instances?.length ?? 1), 0);
    const configured = /<nodes_configured number="(\d+)"/.exec(xml)?.[1];
    const diffs: string[] = [];
    if (s.nodes.length !== xmlNodes) diffs.push(`nodes ${s.nodes.length} vs ${xmlNodes}`);
    if (instances !== xmlResources) diffs.push(`resource instances ${instances} vs ${xmlResources}`);
    if ((s.failedActions?.length ?? 0) !== xmlFailures) diffs.push(`failed actions ${s.failedActions?.length ?? 0} vs ${xmlFailures}`);
    // Unfiltered outputs list every configured node.
    if (configured && !/filtered|node section|--exclude|--include/i.test(name) && xmlNodes && s.nodes.length !== Number(configured)) diffs.push(`nodes ${s.nodes.length} vs nodes_configured ${configured}`);
    if (diffs.length) out.bad.push(`${name}: ${diffs.join(', ')}`);
    else out.ok++;
  }
  return out;
}

interface SimResult {
  era: string;
  sampled: number;
  agree: number;
  differ: number;
  refused: number;
  examples: string[];
}

/** The summary's Transition Summary vs what the local crm_simulate prints, both through parseTransitionSummary. */
function checkTransitions(eras: Era[], sample: number | 'all'): SimResult[] {
  const out: SimResult[] = [];
  for (const era of eras) {
    const withSummary = era.inputs.filter((x) => x.summary);
    if (!withSummary.length) continue;
    const step = sample === 'all' ? 1 : Math.max(1, Math.floor(withSummary.length / sample));
    const r: SimResult = { era: era.label, sampled: 0, agree: 0, differ: 0, refused: 0, examples: [] };
    for (let i = 0; i < withSummary.length; i += step) {
      const input = withSummary[i]!;
      r.sampled++;
      const want = parseTransitionSummary(readFileSync(input.summary!, 'utf8')).map((a) => a.text).sort();
      let text: string;
      try {
        text = execFileSync('crm_simulate', ['-x', input.xml, '-S'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000, env: { ...process.env, PCMK_logfacility: 'none', PCMK_debug: 'no' } });
      } catch (e) {
        const so = (e as { stdout?: string }).stdout;
        if (!so || !so.includes('Transition Summary:')) {
          r.refused++;
          continue;
        }
        text = so;
      }
      const have = parseTransitionSummary(text).map((a) => a.text).sort();
      if (JSON.stringify(want) === JSON.stringify(have)) r.agree++;
      else {
        r.differ++;
        if (r.examples.length < 10) r.examples.push(`${input.name}: summary [${want.join('; ')}] vs local [${have.join('; ')}]`);
      }
    }
    out.push(r);
  }
  return out;
}

main();
