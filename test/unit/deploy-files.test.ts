import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const read = (p: string) => readFileSync(join(DEPLOY, p), 'utf8');
const yamlFiles = (readdirSync(DEPLOY, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f));
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });

describe('deploy/: every YAML file', () => {
  it('parses (all documents)', () => {
    assert.ok(yamlFiles.length >= 8, yamlFiles.join(' '));
    for (const f of yamlFiles) {
      for (const d of parseAllDocuments(read(f))) assert.deepEqual(d.errors.map((e) => e.message), [], f);
    }
  });
});

describe('deploy/hasf.example.yaml', () => {
  it('is valid against the configuration schema, with pinned hosts', () => {
    const cfg = parseConfig(read('hasf.example.yaml'), { file: 'deploy/hasf.example.yaml', env: {} });
    assert.ok(cfg.clusters.length > 0 && cfg.storage.length > 0 && cfg.people.length > 0);
    assert.ok(cfg.approvals.freezes.length > 0);
    // No secret in the example: they come from the environment.
    assert.equal(cfg.audit.key, undefined);
    assert.equal(cfg.slack.botToken, undefined);
  });
  it('has a comment for the reader', () => {
    assert.ok(read('hasf.example.yaml').split('\n').filter((l) => l.trim().startsWith('#')).length > 30);
  });
});

describe('deploy/docker-compose.yml', () => {
  const c = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { command?: string[]; image?: string; build?: unknown; ports?: string[]; depends_on?: unknown; stop_grace_period?: string }>; volumes: Record<string, unknown> };
  it('has redis, api and worker', () => {
    assert.deepEqual(Object.keys(c.services).sort(), ['api', 'redis', 'worker']);
  });
  it('runs Redis with AOF and fsync always, on a volume', () => {
    const cmd = c.services.redis!.command!.join(' ');
    assert.match(cmd, /--appendonly yes/);
    assert.match(cmd, /--appendfsync always/);
    assert.match(cmd, /--maxmemory-policy noeviction/);
    assert.ok('redis-data' in c.volumes);
  });
  it('runs `hasf serve` and `hasf worker` from the same image, API on loopback only', () => {
    assert.deepEqual(c.services.api!.command!.slice(0, 1), ['serve']);
    assert.deepEqual(c.services.worker!.command!.slice(0, 1), ['worker']);
    assert.equal(c.services.api!.image, c.services.worker!.image);
    assert.ok(c.services.api!.ports!.every((p) => p.startsWith('127.0.0.1:')));
    assert.ok(c.services.worker!.depends_on && c.services.api!.depends_on);
  });
  it('`docker compose config` accepts it (when the compose plugin exists)', (t) => {
    const probe = has('docker', ['compose', 'version']);
    if (probe.status !== 0) return t.skip('docker compose plugin not installed here (the docker client alone has no "compose")');
    const r = spawnSync('docker', ['compose', '-f', join(DEPLOY, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8', env: { ...process.env, HASF_AUDIT_KEY: 'k'.repeat(20), HASF_REDIS_PASSWORD: 'p' } });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('deploy/Dockerfile', () => {
  const d = read('Dockerfile');
  it('builds and runs on Node 24 LTS: compiled dist/hasf.js as a non-root user, no dev dependencies', () => {
    const froms = [...d.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    assert.ok(froms.length >= 2 && froms.every((f) => /^node:24[-.]/.test(f)), froms.join(', '));
    assert.match(d, /^RUN npm ci .*\n(?:.*\n)*RUN npm run build && npm prune --omit=dev/m);
    assert.match(d, /^COPY --from=build \/opt\/hasf\/dist \.\/dist$/m);
    // Everything npm run build reads is in the build stage before it runs.
    const buildStage = d.slice(0, d.indexOf('RUN npm run build'));
    const copied = [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'openapi.yaml', 'scripts/build.mjs', 'src', 'workers']) assert.ok(copied.includes(f), `the build stage does not copy ${f}`);
    const runtime = d.slice(d.lastIndexOf('\nFROM '));
    assert.doesNotMatch(runtime, /^COPY (--from=build \S+\/)?src /m, 'the image holds the build, not the sources');
    assert.match(d, /^USER node$/m);
    assert.match(d, /^ENTRYPOINT \[.*"node", "\/opt\/hasf\/dist\/hasf\.js"\]$/m);
  });
});

describe('deploy/redis.conf', () => {
  const conf = Object.fromEntries(
    read('redis.conf')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'))
      .map((l) => [l.split(/\s+/)[0], l.split(/\s+/).slice(1).join(' ')]),
  );
  it('is durable: AOF, fsync always, no eviction', () => {
    assert.equal(conf.appendonly, 'yes');
    assert.equal(conf.appendfsync, 'always');
    assert.equal(conf['maxmemory-policy'], 'noeviction');
  });
  it('is accepted by redis-server itself', (t) => {
    if (has('redis-server', ['--version']).status !== 0) return t.skip('redis-server not installed');
    // A config that fails to load makes redis-server exit at once with "FATAL CONFIG FILE ERROR"; a good one says "Configuration loaded" (then exits: port 0 listens nowhere).
    const dir = mkdtempSync(join(tmpdir(), 'hasf-redis-conf-'));
    try {
      const r = spawnSync('redis-server', [join(DEPLOY, 'redis.conf'), '--port', '0', '--dir', dir, '--daemonize', 'no'], { encoding: 'utf8', timeout: 1500 });
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /FATAL CONFIG FILE ERROR|Bad directive/);
      assert.match(r.stdout, /Configuration loaded/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/systemd', () => {
  const units = ['hasf-api.service', 'hasf-worker.service'];
  it('units are hardened', () => {
    for (const u of units) {
      const text = read(`systemd/${u}`);
      for (const opt of ['ProtectSystem=strict', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'ReadWritePaths=/var/lib/hasf', 'CapabilityBoundingSet=', 'User=hasf']) assert.match(text, new RegExp(`^${opt}`, 'm'), `${u}: ${opt}`);
      assert.match(text, /^ExecStart=\/usr\/bin\/node \/opt\/hasf\/dist\/hasf\.js (serve|worker) --config/m);
      assert.match(text, /Node(\.js)? (22 or )?24/);
    }
  });
  it('systemd-analyze verify finds nothing', (t) => {
    if (has('systemd-analyze', ['--version']).status !== 0) return t.skip('systemd-analyze not installed');
    if (has('node', ['--version']).status !== 0 || spawnSync('test', ['-x', '/usr/bin/node']).status !== 0) return t.skip('/usr/bin/node (the units\' ExecStart) is not here');
    const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(DEPLOY, 'systemd', u))], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // Unknown keys are only warnings (exit 0): any output at all is a finding.
    assert.equal(r.stderr.trim(), '', r.stderr);
  });
});

describe('deploy/k8s', () => {
  const docs = readdirSync(join(DEPLOY, 'k8s'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(read(`k8s/${f}`)).map((d) => ({ f, doc: d.toJS() as { apiVersion: string; kind: string; metadata?: { name: string }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string>; resources?: string[] } })));
  const kinds = docs.map((d) => `${d.doc.apiVersion} ${d.doc.kind} ${d.doc.metadata?.name ?? ''}`.trim());

  it('has the API Deployment and Service, the worker Deployment, the Redis StatefulSet and the key Secrets', () => {
    for (const k of ['apps/v1 Deployment hasf-api', 'v1 Service hasf-api', 'apps/v1 Deployment hasf-worker', 'apps/v1 StatefulSet hasf-redis', 'v1 Service hasf-redis', 'v1 Secret hasf-keys', 'v1 Secret hasf-ssh', 'v1 ConfigMap hasf-config']) {
      assert.ok(kinds.includes(k), `${k} missing from ${kinds.join(', ')}`);
    }
  });
  it('every kind has the apiVersion Kubernetes serves it under', () => {
    const expected: Record<string, string> = { Deployment: 'apps/v1', StatefulSet: 'apps/v1', Service: 'v1', Secret: 'v1', ConfigMap: 'v1', Namespace: 'v1', NetworkPolicy: 'networking.k8s.io/v1', Kustomization: 'kustomize.config.k8s.io/v1beta1', PersistentVolumeClaim: 'v1' };
    for (const { f, doc } of docs) assert.equal(doc.apiVersion, expected[doc.kind], `${f}: ${doc.kind}`);
  });
  it('the kustomization lists every manifest', () => {
    const k = docs.find((d) => d.doc.kind === 'Kustomization')!.doc;
    const files = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...k.resources!].sort(), files.sort());
  });
  it('selectors match their pod labels; containers run hasf serve / worker', () => {
    for (const { doc } of docs.filter((d) => ['Deployment', 'StatefulSet'].includes(d.doc.kind))) {
      const sel = doc.spec.selector.matchLabels as Record<string, string>;
      for (const [k, v] of Object.entries(sel)) assert.equal(doc.spec.template.metadata.labels[k], v, doc.metadata!.name);
    }
    const args = (name: string) => docs.find((d) => d.doc.metadata?.name === name && d.doc.kind === 'Deployment')!.doc.spec.template.spec.containers[0].args as string[];
    assert.equal(args('hasf-api')[0], 'serve');
    assert.equal(args('hasf-worker')[0], 'worker');
  });
  it('the audit file sinks and anchors live on one persistent volume every API and worker pod mounts', () => {
    const pvc = docs.find((d) => d.doc.kind === 'PersistentVolumeClaim' && d.doc.metadata?.name === 'hasf-audit')!.doc;
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteMany']);
    const hasf = parse(docs.find((d) => d.doc.metadata?.name === 'hasf-config')!.doc.data!['hasf.yaml']!) as { audit: { file: string; anchorDir: string } };
    for (const name of ['hasf-api', 'hasf-worker']) {
      const pod = docs.find((d) => d.doc.kind === 'Deployment' && d.doc.metadata?.name === name)!.doc.spec.template.spec;
      const vol = pod.volumes.find((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName === 'hasf-audit');
      assert.ok(vol, `${name} mounts the audit volume`);
      const mount = pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === vol.name);
      assert.ok(hasf.audit.anchorDir.startsWith(`${mount.mountPath}/`), `${name}: anchors on the volume`);
      const file = pod.containers[0].env.find((e: { name: string }) => e.name === 'HASF_AUDIT_FILE');
      assert.ok(file.value.startsWith(`${mount.mountPath}/`) && file.value.includes('$(POD_NAME)'), `${name}: one file sink per pod on the volume`);
    }
  });
  it('Redis runs with AOF and fsync always; the ConfigMap\'s hasf.yaml is a valid configuration', () => {
    const redisConf = docs.find((d) => d.doc.metadata?.name === 'hasf-redis-config')!.doc.data!['redis.conf']!;
    assert.match(redisConf, /^appendonly yes$/m);
    assert.match(redisConf, /^appendfsync always$/m);
    assert.match(redisConf, /^maxmemory-policy noeviction$/m);
    const hasf = docs.find((d) => d.doc.metadata?.name === 'hasf-config')!.doc.data!['hasf.yaml']!;
    assert.doesNotThrow(() => parseConfig(hasf, { file: 'k8s hasf-config', env: { HASF_AUDIT_KEY: 'k'.repeat(20) } }));
  });
});

describe('deploy/docker-compose.sentinel.yml', () => {
  type Svc = { command?: string[]; image?: string; ports?: string[]; environment?: Record<string, string>; volumes?: string[] };
  const c = parse(read('docker-compose.sentinel.yml'), { merge: true }) as { services: Record<string, Svc> };
  const cmd = (s: string) => c.services[s]!.command!.join(' ');

  it('has two durable data nodes (the second a replica of the first), three sentinels, the API and a worker', () => {
    assert.deepEqual(Object.keys(c.services).sort(), ['api', 'redis-1', 'redis-2', 'sentinel-1', 'sentinel-2', 'sentinel-3', 'worker']);
    for (const n of ['redis-1', 'redis-2']) {
      assert.match(cmd(n), /--appendonly yes --appendfsync always --maxmemory-policy noeviction/, n);
      assert.match(cmd(n), /--masterauth/, `${n}: replicas (and a demoted primary) must authenticate`);
      assert.match(cmd(n), new RegExp(`--replica-announce-ip ${n}`), n);
    }
    assert.match(cmd('redis-2'), /--replicaof redis-1 6379/);
    assert.doesNotMatch(cmd('redis-1'), /--replicaof/);
    assert.equal(c.services.api!.image, c.services.worker!.image);
    assert.ok(c.services.api!.ports!.every((p) => p.startsWith('127.0.0.1:')));
    assert.ok(c.services.api!.environment!.HASF_REDIS_SENTINEL_PASSWORD && c.services.worker!.environment!.HASF_REDIS_SENTINEL_PASSWORD);
  });

  it('the sentinels\' configuration is accepted by redis-server --sentinel and watches redis-1 with quorum 2', (t) => {
    if (has('redis-server', ['--version']).status !== 0) return t.skip('redis-server not installed');
    const script = c.services['sentinel-1']!.command![2]!;
    const conf = /<<EOF\n([\s\S]*?)\nEOF/.exec(script)![1]!;
    assert.match(conf, /^sentinel monitor hasf redis-1 6379 2$/m);
    assert.match(conf, /^sentinel down-after-milliseconds hasf \d+$/m);
    // As sh would write it, on loopback (redis-1 resolves only on the compose network).
    const dir = mkdtempSync(join(tmpdir(), 'hasf-sentinel-conf-'));
    try {
      const file = join(dir, 'sentinel.conf');
      writeFileSync(file, conf.replace(/\$\$REDIS_PASSWORD/g, 'p').replace(/redis-1/g, '127.0.0.1').replace(/^port 26379$/m, 'port 0'));
      const r = spawnSync('redis-server', [file, '--sentinel'], { encoding: 'utf8', timeout: 1500 });
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /FATAL|Bad directive|Unrecognized sentinel configuration/);
      assert.match(r.stdout, /Sentinel ID is|Configuration loaded/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/k8s-sentinel (kustomize overlay of deploy/k8s)', () => {
  const dir = join(DEPLOY, 'k8s-sentinel');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  const docs = files.flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({ f, doc: d.toJS() as { apiVersion: string; kind: string; metadata?: { name: string }; spec?: any; data?: Record<string, string>; resources?: string[]; patches?: { path: string }[]; $patch?: string } })));
  const k = docs.find((d) => d.doc.kind === 'Kustomization')!.doc;

  it('uses ../k8s as its base; lists every file as a resource or a patch; deletes the single Redis', () => {
    assert.ok(k.resources!.includes('../k8s'));
    const listed = [...k.resources!.filter((r) => r !== '../k8s'), ...k.patches!.map((p) => p.path)].sort();
    assert.deepEqual(listed, files.filter((f) => f !== 'kustomization.yaml').sort());
    const deleted = docs.filter((d) => d.doc.$patch === 'delete').map((d) => `${d.doc.kind} ${d.doc.metadata!.name}`).sort();
    assert.deepEqual(deleted, ['NetworkPolicy hasf-redis-clients', 'Service hasf-redis', 'StatefulSet hasf-redis']);
  });

  it('three data nodes and three sentinels; selectors match their pod labels', () => {
    const sets = docs.filter((d) => d.doc.kind === 'StatefulSet' && !d.doc.$patch).map((d) => d.doc);
    assert.deepEqual(sets.map((s) => [s.metadata!.name, s.spec.replicas]).sort(), [['hasf-redis-node', 3], ['hasf-sentinel', 3]]);
    for (const s of sets) for (const [key, v] of Object.entries(s.spec.selector.matchLabels as Record<string, string>)) assert.equal(s.spec.template.metadata.labels[key], v, s.metadata!.name);
    const scripts = docs.find((d) => d.doc.metadata?.name === 'hasf-sentinel-scripts')!.doc.data!;
    assert.match(scripts['sentinel.sh']!, /^sentinel monitor hasf \$\(primary\) 6379 2$/m);
    assert.match(scripts['redis.sh']!, /--masterauth/);
  });

  it('the ConfigMap\'s hasf.yaml is a valid Sentinel configuration; the password comes from the Secret', () => {
    const hasf = docs.find((d) => d.doc.kind === 'ConfigMap' && d.doc.metadata?.name === 'hasf-config')!.doc.data!['hasf.yaml']!;
    const cfg = parseConfig(hasf, { file: 'k8s-sentinel hasf-config', env: { HASF_AUDIT_KEY: 'k'.repeat(20), HASF_REDIS_SENTINEL_PASSWORD: 'pw' } });
    assert.equal(cfg.redis.sentinel?.name, 'hasf');
    assert.equal(cfg.redis.sentinel?.sentinels.length, 3);
    assert.equal(cfg.redis.sentinel?.password, 'pw');
    const envNames = docs.filter((d) => d.doc.kind === 'Deployment').flatMap((d) => (d.doc.spec.template.spec.containers[0].env as { name: string }[]).map((e) => `${d.doc.metadata!.name} ${e.name}`));
    assert.deepEqual(envNames.sort(), ['hasf-api HASF_REDIS_SENTINEL_PASSWORD', 'hasf-worker HASF_REDIS_SENTINEL_PASSWORD']);
  });
});
