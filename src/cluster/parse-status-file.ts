import { HasfError } from '../errors/index.ts';
import type { ClusterStatus } from './model.ts';
import { parseCib } from './parse-cib.ts';
import { parseCrmMonXml } from './parse-crm-mon.ts';

/** What a status document was. */
export type StatusDocumentFormat = 'crm_mon-output-as-xml' | 'crm_mon-as-xml' | 'cib';

/** A status read from a saved document (a file, a report's cib.xml). */
export interface StatusDocument {
  format: StatusDocumentFormat;
  /** crm_mon's api-version / version, or the CIB's validate-with (crm-1.0 when absent). */
  schema: string;
  status: ClusterStatus;
}

/**
 * Read a saved status document of any stack: `crm_mon --output-as=xml` (2.0.3+), the 1.1
 * `crm_mon --as-xml`, or a CIB with a status section (Heartbeat 2.1's crm-1.0 to
 * pacemaker-4.0, as `cibadmin -Q` or a crm_report's cib.xml hold it). The root element
 * decides. Files from disk are read with libxml2-style recovery of malformed tags, as the
 * Pacemaker of their time read them.
 */
export function parseStatusDocument(text: string, opts: { readAt?: string } = {}): StatusDocument {
  const head = text.slice(0, 4096).replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const root = /<([A-Za-z_][\w.-]*)/.exec(head)?.[1];
  const attr = (name: string) => new RegExp(`<${root}\\b[^>]*\\b${name}="([^"]*)"`).exec(head)?.[1];
  const o = { recover: true, ...(opts.readAt ? { readAt: opts.readAt } : {}) };
  if (root === 'pacemaker-result') return { format: 'crm_mon-output-as-xml', schema: `api-version ${attr('api-version') ?? '?'}`, status: parseCrmMonXml(text, o) };
  if (root === 'crm_mon') return { format: 'crm_mon-as-xml', schema: `crm_mon ${attr('version') ?? '?'}`, status: parseCrmMonXml(text, o) };
  if (root === 'cib') return { format: 'cib', schema: attr('validate-with') ?? 'crm-1.0 (Heartbeat 2.1 / Pacemaker 0.6)', status: parseCib(text, o) };
  throw new HasfError(
    'INVALID_INPUT',
    `This file is not a cluster status HASF can read (its root element is ${root ? `<${root}>` : 'not XML'}). Give crm_mon --output-as=xml (or crm_mon -1 --as-xml) output, a CIB (cibadmin -Q), or a crm_report/hb_report tarball.`,
    { root: root ?? null },
  );
}
