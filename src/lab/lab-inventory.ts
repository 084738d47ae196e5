import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { inventorySchema, type Inventory } from '../config/inventory.ts';
import { fingerprint, publicKeyLine } from './keys.ts';
import { LAB_CLUSTER, type LabLayout, type LabMachine } from './layout.ts';
import { labVmConfigDir, labVmTemplate } from './vm-template.ts';

/** Public host key file of a lab machine. */
export function hostKeyPub(m: LabMachine): string {
  return join(m.dir, 'ssh_host_ed25519_key.pub');
}

/** The inventory describing a lab: cluster `lab` (node1..3) and storage target store1. */
export function labInventory(layout: LabLayout): Inventory {
  const host = (m: LabMachine) => ({
    name: m.name,
    host: m.address,
    port: 22,
    user: 'root',
    hostKeys: [fingerprint(hostKeyPub(m))],
    identityFile: layout.identityFile,
  });
  return inventorySchema.parse({
    clusters: [{ name: LAB_CLUSTER, dialect: 'auto', nodes: layout.nodes.map(host), vms: labVmTemplate(layout) }],
    storage: [
      {
        ...host(layout.storage),
        driver: 'tgt',
        iqn: layout.iqn,
        portal: `${layout.storage.address}:3260`,
        backingDir: layout.lunDir,
        create: 'file',
        cluster: LAB_CLUSTER,
      },
    ],
  });
}

/** Writes DIR/inventory.yaml and DIR/known_hosts (each machine by address and by name). */
export function writeLabInventory(layout: LabLayout): Inventory {
  const inventory = labInventory(layout);
  mkdirSync(labVmConfigDir(layout), { recursive: true });
  writeFileSync(
    layout.inventoryFile,
    `# HASF lab inventory, written by \`hasf lab up\` (${new Date().toISOString()}).\n${stringify(inventory)}`,
  );
  const known = layout.machines.map(
    (m) => `${m.address},${m.name} ${publicKeyLine(hostKeyPub(m))}`,
  );
  writeFileSync(layout.knownHostsFile, `${known.join('\n')}\n`);
  return inventory;
}
