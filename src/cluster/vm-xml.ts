import type { VmTemplate } from '../config/inventory.ts';
import { HasfError } from '../errors/index.ts';
import type { DialectSpec } from './dialects.ts';
import { validateName } from './names.ts';

/** What vm.add creates for one VM. */
export interface VmResourceRequest {
  vm: string;
  /** The guest's configuration (Xen xmfile, libvirt XML, …), an absolute path. */
  config: string;
  template: VmTemplate;
  /** A permanent location preference. */
  prefer?: { node: string; score: number };
  /** A temporary INFINITY preference so the VM first starts there; removed once it runs. */
  startOn?: string;
}

/** One CIB element to create: its section, id, tag, and the XML itself. */
export interface CibElement {
  scope: 'resources' | 'constraints';
  tag: 'primitive' | 'rsc_order' | 'rsc_colocation' | 'rsc_location';
  id: string;
  xml: string;
}

/** The elements of one VM resource, in the order they are created. */
export interface VmResourceXml {
  /** Created with target-role=Stopped, so nothing starts before its constraints exist. */
  primitive: CibElement;
  order?: CibElement;
  colocation?: CibElement;
  prefer?: CibElement;
  startOn?: CibElement;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const attrs = (a: Record<string, string>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
const nvpair = (set: string, name: string, value: string) => `<nvpair${attrs({ id: `${set}-${name}`, name, value })}/>`;

/** The instance attribute that takes the guest's configuration for this agent. */
export function configParamOf(t: VmTemplate): string {
  if (t.configParam) return t.configParam;
  return t.agent === 'ocf:heartbeat:Xen' ? 'xmfile' : 'config';
}

/** The ids vm.add gives a VM's constraints (vm.remove deletes every constraint naming the VM, whatever its id). */
export function vmConstraintIds(vm: string, t: Pick<VmTemplate, 'sharedStorage'>, prefer?: string, startOn?: string) {
  return {
    order: t.sharedStorage ? `order-${t.sharedStorage}-then-${vm}` : undefined,
    colocation: t.sharedStorage ? `colocation-${vm}-with-${t.sharedStorage}` : undefined,
    prefer: prefer ? `location-${vm}-prefers-${prefer}` : undefined,
    startOn: startOn ? `location-${vm}-starts-on-${startOn}` : undefined,
  };
}

/**
 * The CIB XML of a VM resource as the seed's runbook builds it: the cluster's VM agent
 * with the guest's configuration, allow-migrate, monitor and migration timeouts; ordered
 * after and colocated with the shared storage clone; an optional location preference.
 * Pacemaker 1.0+ syntax (first/then orders); the Heartbeat 2.1 crm-1.0 format is refused.
 */
export function vmResourceXml(d: DialectSpec, r: VmResourceRequest): VmResourceXml {
  if (d.id === 'heartbeat-2.1') {
    throw new HasfError('UNSUPPORTED_STACK', `${d.label} uses the crm-1.0 XML format (from/to orders, <attributes> wrappers): create the VM's resource by hand there.`, { dialect: d.id });
  }
  validateName('resource', r.vm);
  const t = r.template;
  const [cls, provider, type] = t.agent.split(':') as [string, string, string];
  const ia = `${r.vm}-instance_attributes`;
  const ma = `${r.vm}-meta_attributes`;
  const params = { ...t.params, [configParamOf(t)]: r.config };
  const ops: Array<[string, string, string]> = [
    ['monitor', t.timeouts.monitorInterval, t.timeouts.monitor],
    ['start', '0', t.timeouts.start],
    ['stop', '0', t.timeouts.stop],
    ...(t.allowMigrate
      ? ([
          ['migrate_to', '0', t.timeouts.migrateTo],
          ['migrate_from', '0', t.timeouts.migrateFrom],
        ] as Array<[string, string, string]>)
      : []),
  ];
  const primitive =
    `<primitive${attrs({ id: r.vm, class: cls, provider, type })}>` +
    `<instance_attributes${attrs({ id: ia })}>${Object.entries(params)
      .map(([k, v]) => nvpair(ia, k, v))
      .join('')}</instance_attributes>` +
    `<meta_attributes${attrs({ id: ma })}>${nvpair(ma, d.meta.targetRole, 'Stopped')}${t.allowMigrate ? nvpair(ma, 'allow-migrate', 'true') : ''}</meta_attributes>` +
    `<operations>${ops.map(([name, interval, timeout]) => `<op${attrs({ id: `${r.vm}-${name}-${interval}`, name, interval, timeout })}/>`).join('')}</operations>` +
    `</primitive>`;
  const ids = vmConstraintIds(r.vm, t, r.prefer?.node, r.startOn);
  const out: VmResourceXml = { primitive: { scope: 'resources', tag: 'primitive', id: r.vm, xml: primitive } };
  if (t.sharedStorage) {
    out.order = { scope: 'constraints', tag: 'rsc_order', id: ids.order!, xml: `<rsc_order${attrs({ id: ids.order!, first: t.sharedStorage, then: r.vm, kind: 'Mandatory' })}/>` };
    out.colocation = { scope: 'constraints', tag: 'rsc_colocation', id: ids.colocation!, xml: `<rsc_colocation${attrs({ id: ids.colocation!, rsc: r.vm, 'with-rsc': t.sharedStorage, score: 'INFINITY' })}/>` };
  }
  if (r.prefer) {
    validateName('node', r.prefer.node);
    out.prefer = { scope: 'constraints', tag: 'rsc_location', id: ids.prefer!, xml: `<rsc_location${attrs({ id: ids.prefer!, rsc: r.vm, node: r.prefer.node, score: String(r.prefer.score) })}/>` };
  }
  if (r.startOn && r.startOn !== r.prefer?.node) {
    validateName('node', r.startOn);
    out.startOn = { scope: 'constraints', tag: 'rsc_location', id: ids.startOn!, xml: `<rsc_location${attrs({ id: ids.startOn!, rsc: r.vm, node: r.startOn, score: 'INFINITY' })}/>` };
  }
  return out;
}

/** The element that deletes `el` with cibadmin --delete (matched by tag and id). */
export function deletionXml(tag: CibElement['tag'], id: string): string {
  return `<${tag}${attrs({ id })}/>`;
}
