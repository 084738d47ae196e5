import { resourceLine } from './lines.ts';
import { requireResource } from './status-helpers.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import type { OperationDef } from './types.ts';
import { waitUntilSettled } from './wait-cluster.ts';
import { HasfError } from '../errors/index.ts';

export interface CleanupParams {
  resource: string;
}

const failCountOf = (r: { failed: boolean; failCounts?: Record<string, number> }) =>
  Object.values(r.failCounts ?? {}).reduce((a, b) => a + b, 0);

/** resource.cleanup: clear a resource's failures so the cluster re-probes it. */
export const resourceCleanup: OperationDef<CleanupParams> = {
  name: 'resource.cleanup',
  summary: "Clear a resource's failure history so the cluster re-probes and may start it again.",
  replaces: 'crm_resource --cleanup --resource R (Heartbeat 2: crm_resource -C -r R -H node)',
  risk: 'low',
  disruptive: false,
  defaultApprovals: 0,
  usage: '/hasf cleanup <resource> [--reason "..."] [--dry-run]',
  timeoutMs: 5 * 60_000,
  refusals: ['UNKNOWN_OBJECT'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['resource'],
    properties: { resource: nameSchema('Resource id') },
  },
  // The same line as any other job on this resource id (a migration of it, …).
  locks: async (p) => [resourceLine(p.resource)],
  target: (p) => p.resource,

  async preflight(ctx, p) {
    const status = await ctx.status();
    requireResource(status, p.resource);
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const r = requireResource(status, p.resource);
    const change = { kind: 'cleanup', resource: p.resource } as const;
    // The end state: with its failures forgotten, the scheduler may start it again (and where).
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    return {
      summary: `Clean up ${p.resource} (fail count ${failCountOf(r)}${r.failed ? ', currently failed' : ''})`,
      commands: argvs.map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      ...(predicted.prediction ? { prediction: predicted.prediction } : {}),
      warnings: predicted.warnings,
    };
  },

  async execute(ctx, p) {
    await ctx.step('cleanup');
    const res = await ctx.pacemaker.cleanup(p.resource);
    if (res.exitCode !== 0) throw new HasfError('COMMAND_FAILED', `crm_resource --cleanup failed (exit ${res.exitCode}): ${res.stderr.trim().slice(0, 300)}`);
    await ctx.step('verify');
    // Judged once the cluster has settled: the re-probe, and any start it retried, are done then.
    const settled = await waitUntilSettled(ctx, `${p.resource} fail count cleared, the cluster settled`, 5 * 60_000, { resources: [p.resource] });
    const r = requireResource(settled.status, p.resource);
    if (failCountOf(r) !== 0) {
      const where = Object.entries(r.failCounts ?? {}).filter(([, n]) => n > 0).map(([node, n]) => `${n >= 1_000_000 ? 'INFINITY' : n} on ${node}`);
      throw new HasfError('VERIFY_FAILED', `${p.resource} failed again after the cleanup (fail count ${where.join(', ') || failCountOf(r)}): ${settled.did}; see crm_mon --failcounts and the agent's log.`, { resource: p.resource, did: settled.did });
    }
    return { summary: `${p.resource} cleaned up; fail count 0; now ${r.role}${r.nodes.length ? ` on ${r.nodes.join(', ')}` : ''}.`, details: { resource: p.resource, role: r.role, nodes: r.nodes, did: settled.did } };
  },
};
