import { z } from 'zod';

/** `SHA256:` followed by unpadded base64, as `ssh-keygen -lf` prints a fingerprint. */
export const fingerprintSchema = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint such as SHA256:abc…(43 chars)');

/** One SSH-reachable host (a cluster node or a storage target host). */
export const hostSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1).default('root'),
    hostKeys: z.array(fingerprintSchema).optional(),
    knownHostsFile: z.string().optional(),
    identityFile: z.string().optional(),
    agent: z.string().optional(),
  })
  .strict();

export const dialectSchema = z.enum(['auto', 'heartbeat-2.1', 'pacemaker-1.0', 'pacemaker-1.1', 'pacemaker-2', 'pacemaker-3']);

const cibId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'a CIB id: letters, digits, . _ : -');
const opTime = z.string().regex(/^\d+(ms|s|m|min|h)?$/, 'a Pacemaker interval such as 30s, 5min or 90');

/**
 * How VMs join this cluster as resources (vm.add): the cluster's VM agent, the parameter
 * that names the guest's configuration, fixed parameters, the shared storage clone every
 * VM is ordered after and colocated with, and operation timeouts.
 */
export const vmTemplateSchema = z
  .object({
    /** `ocf:heartbeat:Xen` (xmfile), `ocf:heartbeat:VirtualDomain` (config + hypervisor), or a site's own. */
    agent: z.string().regex(/^ocf:[a-z0-9_-]+:[A-Za-z0-9_.-]+$/, 'an OCF agent such as ocf:heartbeat:Xen'),
    /** The instance attribute that takes vm.add's `config`; default: xmfile for Xen, config otherwise. */
    configParam: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).optional(),
    /** Where guest configurations must live (vm.add refuses a config elsewhere). */
    configDir: z.string().regex(/^\/[A-Za-z0-9._\/-]{0,254}$/).optional(),
    /** Fixed instance attributes every VM gets, e.g. { hypervisor: 'qemu:///system' }. */
    params: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().max(256)).default({}),
    /** Id of the shared storage clone (the seed's OCFS2 clone) VMs start after and run with. */
    sharedStorage: cibId.optional(),
    /** meta allow-migrate: live migration instead of stop/start. */
    allowMigrate: z.boolean().default(true),
    /** Operation timings (Pacemaker interval syntax). */
    timeouts: z
      .object({
        monitorInterval: opTime.default('10s'),
        monitor: opTime.default('30s'),
        start: opTime.default('90s'),
        stop: opTime.default('120s'),
        migrateTo: opTime.default('300s'),
        migrateFrom: opTime.default('60s'),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.agent === 'ocf:heartbeat:VirtualDomain' && !v.params.hypervisor) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['params', 'hypervisor'], message: 'VirtualDomain needs params.hypervisor, e.g. qemu:///system or xen:///' });
    }
  });

export const clusterSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
    /** Stack dialect; `auto` detects it once from the tools' version. */
    dialect: dialectSchema.default('auto'),
    nodes: z.array(hostSchema).min(1),
    /** How vm.add creates VM resources here; absent: vm.add is refused. */
    vms: vmTemplateSchema.optional(),
  })
  .strict();

export const storageTargetSchema = hostSchema
  .extend({
    driver: z.enum(['tgt', 'lio', 'iet']),
    /** The iSCSI target's IQN. */
    iqn: z.string().regex(/^iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9._:-]+)?$/),
    /** host:port initiators connect to. */
    portal: z.string().optional(),
    /** Where new backing files are created when lun.add is given a size. */
    backingDir: z.string().default('/var/lib/hasf/luns'),
    /** How a sized LUN is created: a sparse file in backingDir, or an LV in volumeGroup. */
    create: z.enum(['file', 'lv']).default('file'),
    volumeGroup: z.string().optional(),
    /** Cluster this storage serves (for locks and display). */
    cluster: z.string().optional(),
  })
  .strict();

/** The inventory: what `hasf lab up` writes and what a site describes for real hosts. */
export const inventorySchema = z
  .object({
    clusters: z.array(clusterSchema).default([]),
    storage: z.array(storageTargetSchema).default([]),
  })
  .strict();

export type HostConfig = z.infer<typeof hostSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type VmTemplate = z.infer<typeof vmTemplateSchema>;
export type StorageTargetConfig = z.infer<typeof storageTargetSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
export type Dialect = z.infer<typeof dialectSchema>;
