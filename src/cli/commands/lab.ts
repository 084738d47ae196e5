import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isHasfError } from '../../errors/index.ts';
import { isRoot, labDown, labStatus, labUp, type LabOptions } from '../../lab/index.ts';

const USAGE = `usage: hasf lab up|down|status [--dir DIR] [--prefix P] [--subnet S] [--shape seed|tidy]
  up      bring the lab up (3 Pacemaker nodes + iSCSI store1), or reuse a healthy one
  down    take it down, leaving no process, namespace, interface or mount
  status  show whether it runs, machine by machine
  --dir DIR      lab state dir (default: var/lab under the current dir)
  --prefix P     namespace/interface name prefix (default: hasf)
  --subnet S     first three octets of the lab /24 (default: 10.231.7)
  --shape S      up: the cluster's shape (default: seed): seed has location preferences,
                 a group, a promotable clone, utilization, a failed resource and a
                 leftover cli-ban; tidy has VMs and the file system clone only
  --quiet        up: no progress lines`;

/**
 * `hasf lab up|down|status`: runs the lab from the command line. Returns the exit code
 * (0 success, 1 failure, 2 usage). Output goes to stdout, errors to stderr.
 */
export async function labCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        prefix: { type: 'string' },
        subnet: { type: 'string' },
        shape: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!action || !['up', 'down', 'status'].includes(action) || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  if (!isRoot()) {
    console.error(
      'hasf lab needs root: it creates network namespaces, mounts and cluster daemons. Run it as root (e.g. sudo hasf lab up).',
    );
    return 1;
  }
  const dir = resolve(values.dir ?? 'var/lab');
  try {
    if (action === 'up') {
      const started = performance.now();
      const info = await labUp({
        dir,
        prefix: values.prefix,
        subnet: values.subnet,
        shape: values.shape as LabOptions['shape'],
        log: values.quiet
          ? undefined
          : (l) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${l}`),
      });
      console.log(
        info.reused ? `Lab already running in ${info.dir}; reused it.` : `Lab up in ${info.dir}.`,
      );
      for (const n of info.nodes)
        console.log(`  ${n.name.padEnd(7)} ${n.address.padEnd(15)} netns ${n.netns}`);
      console.log(
        `  ${info.storage.name.padEnd(7)} ${info.storage.address.padEnd(15)} netns ${info.storage.netns}  iSCSI ${info.storage.iqn} @ ${info.storage.portal}`,
      );
      console.log(`Inventory:   ${info.inventoryPath}`);
      console.log(
        `Log in:      ssh -i ${info.identityFile} -o UserKnownHostsFile=${info.knownHostsPath} root@${info.nodes[0]!.address}`,
      );
      console.log(`Elapsed:     ${(info.elapsedMs / 1000).toFixed(1)} s`);
      return 0;
    }
    if (action === 'down') {
      const started = performance.now();
      // An explicit `hasf lab down` means down, even if a test run still uses the lab.
      await labDown({ dir, prefix: values.prefix, force: true });
      console.log(
        `Lab in ${dir} is down (${((performance.now() - started) / 1000).toFixed(1)} s); nothing of it runs.`,
      );
      return 0;
    }
    const s = await labStatus({ dir, prefix: values.prefix });
    console.log(
      `Lab ${s.prefix} in ${s.dir}: ${s.running ? 'running' : 'not running'}${s.powerSwitchPid ? ` (power switch pid ${s.powerSwitchPid})` : ''}`,
    );
    for (const m of [...s.nodes, ...(s.storage ? [s.storage] : [])]) {
      const cluster =
        m.role === 'node'
          ? m.online
            ? ', online in the cluster'
            : ', not online in the cluster'
          : '';
      console.log(
        `  ${m.name.padEnd(7)} ${m.address.padEnd(15)} ${m.powered ? 'powered on' : 'off'}${cluster}`,
      );
    }
    if (s.inventoryPath) console.log(`Inventory: ${s.inventoryPath}`);
    return 0;
  } catch (e) {
    console.error(`hasf lab ${action} failed: ${e instanceof Error ? e.message : String(e)}`);
    if (isHasfError(e) && e.details.log) console.error(`See ${String(e.details.log)}`);
    return 1;
  }
}
