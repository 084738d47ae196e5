import { HasfError } from '../errors/index.ts';
import { closest } from '../util/closest.ts';
import { storageLine } from './lines.ts';
import { nameSchema, PATH_PATTERN } from './params.ts';
import type { OperationContext, OperationDef } from './types.ts';

export interface LunAddParams {
  target: string;
  path?: string;
  sizeMiB?: number;
  lun?: number;
}

function requireTarget(ctx: OperationContext, name: string) {
  const t = ctx.storageTargets.find((s) => s.name === name);
  if (t) return t;
  const names = ctx.storageTargets.map((s) => s.name);
  const near = closest(name, names);
  throw new HasfError('UNKNOWN_OBJECT', `There is no storage target "${name}"${near.length ? `; did you mean ${near.join(', ')}?` : ` (known: ${names.join(', ') || 'none'})`}.`, {
    kind: 'target',
    name,
    closest: near,
  });
}

/** lun.add: add a LUN to an iSCSI target (tgt, LIO or IET), idempotent per backing store. */
export const lunAdd: OperationDef<LunAddParams> = {
  name: 'lun.add',
  summary: 'Add a LUN to an iSCSI target from a backing store path, or a new file of a given size.',
  replaces: 'tgtadm --lld iscsi --mode logicalunit --op new --tid T --lun L --backing-store PATH; ietadm --op new …; targetcli …/luns create',
  risk: 'medium',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf lun add <target> <path|sizeMiB> [--lun N] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'BACKING_STORE_MISSING', 'LUN_EXISTS', 'BACKING_STORE_CONFLICT'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['target'],
    oneOf: [{ required: ['path'] }, { required: ['sizeMiB'] }],
    properties: {
      target: nameSchema('Storage target name from the inventory, e.g. store1'),
      path: { type: 'string', pattern: PATH_PATTERN, maxLength: 255, description: 'A file under the target\'s backingDir, or an LV of its volumeGroup (/dev/VG/LV), on the target host' },
      sizeMiB: { type: 'integer', minimum: 1, maximum: 16777216, description: 'Create a new backing file of this size' },
      lun: { type: 'integer', minimum: 1, maximum: 255, description: 'LUN number; next free when omitted' },
    },
  },
  // Per daemon and host, not per target: targets of one daemon share its configuration file.
  locks: async (p, scope) => {
    const t = scope.storageTargets.find((s) => s.name === p.target);
    return [t ? storageLine(t) : { kind: 'storage', name: `target:${p.target}` }];
  },
  target: (p) => `${p.target} ${p.path ?? `${p.sizeMiB} MiB`}`,

  async preflight(ctx, p) {
    requireTarget(ctx, p.target);
    const storage = ctx.storage(p.target);
    // Only a file under the target's backingDir or an LV of its volume group, resolved on
    // the target host (BACKING_STORE_NOT_ALLOWED / BACKING_STORE_MISSING); the driver
    // checks again when planning and right before the add.
    const store = p.path ? await storage.checkBackingStore(p.path, { create: p.sizeMiB !== undefined }) : undefined;
    if (p.lun !== undefined) {
      const taken = (await storage.listLuns()).find((l) => l.lun === p.lun);
      if (taken && taken.path !== p.path && taken.path !== store?.path) {
        throw new HasfError('LUN_EXISTS', `LUN ${p.lun} on ${p.target} is already backed by ${taken.path}; omit --lun to take the next free number.`, { target: p.target, lun: p.lun, path: taken.path });
      }
    }
  },

  async plan(ctx, p) {
    const t = requireTarget(ctx, p.target);
    const argvs = await ctx.storage(p.target).plan({ path: p.path, sizeMiB: p.sizeMiB, lun: p.lun, name: ctx.jobId });
    return {
      summary: `Add ${p.path ? p.path : `a new ${p.sizeMiB} MiB backing file`} as ${p.lun ? `LUN ${p.lun}` : 'the next free LUN'} on ${t.iqn}`,
      commands: argvs.map((argv) => ({ host: p.target, argv })),
      warnings: [],
    };
  },

  async execute(ctx, p) {
    await ctx.step('add');
    const storage = ctx.storage(p.target);
    // Re-runs (retries, crash recovery) reuse the file name chosen on the first attempt.
    const r = await storage.addLun({ path: p.path ?? (ctx.checkpoint.path as string | undefined), sizeMiB: ctx.checkpoint.path ? undefined : p.sizeMiB, lun: p.lun, name: ctx.jobId });
    await ctx.saveCheckpoint({ path: r.path, lun: r.lun });
    await ctx.step('verify');
    const listed = (await storage.listLuns()).find((l) => l.lun === r.lun && l.path === r.path);
    if (!listed) throw new HasfError('VERIFY_FAILED', `LUN ${r.lun} (${r.path}) is not listed by the target after adding it.`);
    return {
      summary: r.noop ? `${r.path} was already LUN ${r.lun} on ${p.target}; nothing changed.` : `LUN ${r.lun} added on ${p.target} from ${r.path}${r.created ? ' (new file)' : ''}; configuration persisted.`,
      details: { target: p.target, lun: r.lun, path: r.path, created: r.created, noop: r.noop, sizeBytes: listed.sizeBytes },
    };
  },
};
