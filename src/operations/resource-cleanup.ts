import { resourceLine } from './lines.ts';
import { requireResource } from './status-helpers.ts';
import { nameSchema } from './params.ts';
import type { OperationDef } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';
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
    const argvs = await ctx.pacemaker.commandsFor(change);
    return {
      summary: `Clean up ${p.resource} (fail count ${failCountOf(r)}${r.failed ? ', currently failed' : ''})`,
      commands: argvs.map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      warnings: [],
    };
  },

  async execute(ctx, p) {
    await ctx.step('cleanup');
    const res = await ctx.pacemaker.cleanup(p.resource);
    if (res.exitCode !== 0) throw new HasfError('COMMAND_FAILED', `crm_resource --cleanup failed (exit ${res.exitCode}): ${res.stderr.trim().slice(0, 300)}`);
    await ctx.step('verify');
    const s = await waitForCluster(ctx, `${p.resource} fail count cleared`, (st) => failCountOf(requireResource(st, p.resource)) === 0, 60_000);
    const r = requireResource(s, p.resource);
    return { summary: `${p.resource} cleaned up; fail count 0; now ${r.role}${r.nodes.length ? ` on ${r.nodes.join(', ')}` : ''}.`, details: { resource: p.resource, role: r.role, nodes: r.nodes } };
  },
};
