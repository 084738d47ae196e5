import type { ClusterConfig, Inventory, StorageTargetConfig } from '../config/inventory.ts';
import { rollingSchema, type RollingConfig } from '../config/rolling.ts';
import { HasfError } from '../errors/index.ts';
import type { OperationContext, StorageApi } from '../operations/types.ts';
import { PacemakerDriver } from '../cluster/index.ts';
import { createStorageDriver } from '../storage/index.ts';
import { FailoverExecutor } from '../ssh/index.ts';
import type { CommandExecutor, HostSpec } from '../ssh/types.ts';
import type { ClusterStatus } from '../cluster/model.ts';
import { closest } from '../util/closest.ts';
import type { ExecutorWrapper } from './ports.ts';

export type { ExecutorWrapper };

/** Where commands for one host run: the process's SshPool (or anything with its executor()). */
export interface HostExecutors {
  executor(host: HostSpec): CommandExecutor;
}

/**
 * Builds the drivers of each configured cluster over the shared SSH pool. One instance
 * per process; the per-request contexts it hands out are cheap.
 */
export class ClusterAccess {
  private readonly byName = new Map<string, ClusterConfig>();
  /** Dialects detected once per cluster, shared by every driver built later. */
  private readonly dialects = new Map<string, Awaited<ReturnType<PacemakerDriver['dialect']>>>();

  private readonly rolling: RollingConfig;

  constructor(
    private readonly inventory: Inventory,
    private readonly pool: HostExecutors,
    opts: { rolling?: RollingConfig } = {},
  ) {
    this.rolling = opts.rolling ?? rollingSchema.parse({});
    for (const c of inventory.clusters) this.byName.set(c.name, c);
  }

  /** Configured cluster names. */
  clusters(): string[] {
    return [...this.byName.keys()];
  }

  /** Storage targets, optionally those serving one cluster. */
  storageTargets(cluster?: string): StorageTargetConfig[] {
    return this.inventory.storage.filter((s) => !cluster || !s.cluster || s.cluster === cluster);
  }

  /** A cluster's configuration, or UNKNOWN_CLUSTER with the closest names. */
  cluster(name: string): ClusterConfig {
    const c = this.byName.get(name);
    if (c) return c;
    const near = closest(name, this.byName.keys());
    throw new HasfError('UNKNOWN_CLUSTER', `There is no cluster "${name}"${near.length ? `; did you mean ${near.join(', ')}?` : `; configured: ${this.clusters().join(', ')}`}.`, {
      cluster: name,
      closest: near,
    });
  }

  /** The Pacemaker driver of a cluster, running commands on any reachable node. */
  pacemaker(cluster: string, wrap: ExecutorWrapper = (e) => e): PacemakerDriver {
    const c = this.cluster(cluster);
    const exec = wrap(new FailoverExecutor(c.name, c.nodes.map((n) => this.pool.executor(n as HostSpec))));
    const known = this.dialects.get(c.name);
    const driver = new PacemakerDriver({ name: c.name, exec, dialect: known ? known.name : c.dialect });
    if (!known) {
      void driver.dialect().then(
        (d) => this.dialects.set(c.name, d),
        () => undefined,
      );
    }
    return driver;
  }

  /** One executor per node of a cluster, for what must run on each node (cluster.check's probes). */
  nodeExecutors(cluster: string, wrap: ExecutorWrapper = (e) => e): { name: string; host: string; exec: CommandExecutor }[] {
    return this.cluster(cluster).nodes.map((n) => ({ name: n.name, host: n.host, exec: wrap(this.pool.executor(n as HostSpec)) }));
  }

  /** The driver of a storage target. */
  storage(target: StorageTargetConfig, wrap: ExecutorWrapper = (e) => e): StorageApi {
    return createStorageDriver(target, wrap(this.pool.executor(target as HostSpec)));
  }

  /** Everything an operation needs for one request or job on `cluster`. */
  context(cluster: string, jobId: string, wrap: ExecutorWrapper = (e) => e): OperationContext {
    const driver = this.pacemaker(cluster, wrap);
    // Preflight and plan may ask for the same prediction: simulate once per request.
    const predictions = new Map<string, ReturnType<PacemakerDriver['predict']>>();
    const memoPredict = (change: Parameters<PacemakerDriver['predict']>[0]) => {
      const key = JSON.stringify(change);
      if (!predictions.has(key)) predictions.set(key, driver.predict(change));
      return predictions.get(key)!;
    };
    const sequences = new Map<string, ReturnType<PacemakerDriver['predictSequence']>>();
    const memoSequence = (steps: Parameters<PacemakerDriver['predictSequence']>[0]) => {
      const key = JSON.stringify(steps);
      if (!sequences.has(key)) sequences.set(key, driver.predictSequence(steps));
      return sequences.get(key)!;
    };
    // Methods run bound to the driver itself, so its caches (dialect, …) stay on it.
    const pacemaker = new Proxy(driver, {
      get(target, prop) {
        if (prop === 'predict') return memoPredict;
        if (prop === 'predictSequence') return memoSequence;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const targets = this.storageTargets(cluster);
    const nodes = this.cluster(cluster).nodes;
    let status: Promise<ClusterStatus> | undefined;
    return {
      cluster,
      jobId,
      pacemaker,
      storageTargets: targets,
      ...(this.cluster(cluster).vms ? { vms: this.cluster(cluster).vms } : {}),
      storage: (name) => {
        const t = targets.find((s) => s.name === name);
        if (!t) throw new HasfError('UNKNOWN_OBJECT', `There is no storage target "${name}" for cluster ${cluster}.`, { kind: 'target', name });
        return this.storage(t, wrap);
      },
      status: () => (status ??= pacemaker.status()),
      onNode: (name) => {
        const n = nodes.find((x) => x.name === name);
        if (!n) throw new HasfError('UNKNOWN_OBJECT', `Cluster ${cluster} has no node "${name}" in the inventory.`, { kind: 'node', name });
        return wrap(this.pool.executor(n as HostSpec));
      },
      rolling: this.rolling,
    };
  }
}
