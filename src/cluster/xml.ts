import { XMLParser } from 'fast-xml-parser';
import { HasfError } from '../errors/index.ts';
import { scanXml } from './xml-scan.ts';

/**
 * An element as fast-xml-parser gives it with our options: attributes under `$` (as
 * strings), every child element in an array under its tag name. Pacemaker puts all its
 * data in attributes, so text content is dropped.
 */
export interface XEl {
  $?: Record<string, string>;
  [child: string]: XEl[] | Record<string, string> | undefined;
}

// Options chosen for speed on 5,000-resource clusters: no value parsing (we read the few
// attributes we need as strings), no entity expansion beyond XML's own, no text nodes.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  htmlEntities: false,
  isArray: (_name, _jpath, _leaf, isAttribute) => !isAttribute,
  // Text content is never used; an unknown prop name keeps it out of our way.
  textNodeName: '#text',
});

/**
 * fast-xml-parser with the options the scanner mirrors: the reference the scanner is
 * tested against (test/unit/cluster-xml.test.ts), and a second opinion for debugging.
 */
export function parseXmlReference(xml: string): XEl {
  return parser.parse(xml) as XEl;
}

/** Parse `xml` with the fast scanner (xml-scan.ts); PARSE_ERROR (with `what` in the message) when it is not XML. */
export function parseXml(xml: string, what: string, ignore?: ReadonlySet<string>, recover = false): XEl {
  const start = xml.indexOf('<');
  if (start < 0) throw new HasfError('PARSE_ERROR', `The ${what} output holds no XML: check the tool ran and printed XML.`, { head: xml.slice(0, 200) });
  // fast-xml-parser does not insist on closed tags; output cut short (a dropped connection,
  // an output cap) must not read as a smaller cluster, so the root must close at the end.
  const body = xml.slice(start).trimEnd();
  const root = /<([A-Za-z_][\w.-]*)/.exec(body.replace(/^(<\?[^>]*\?>\s*|<!--[\s\S]*?-->\s*)+/, ''))?.[1];
  if (!root || !(body.endsWith(`</${root}>`) || (body.endsWith('/>') && !body.includes('</')))) {
    throw new HasfError('PARSE_ERROR', `The ${what} output is cut short or not XML: run it again, and check the output size limit.`, {
      head: xml.slice(0, 200),
      tail: xml.slice(-200),
    });
  }
  try {
    return scanXml(body, ignore, recover);
  } catch (e) {
    throw new HasfError(
      'PARSE_ERROR',
      `The ${what} output is not well-formed XML: capture it and report it as a parser bug.`,
      { head: xml.slice(0, 200) },
      { cause: e },
    );
  }
}

/** Child elements named `name` (empty when none). */
export function kids(el: XEl | undefined, name: string): XEl[] {
  const v = el?.[name];
  return Array.isArray(v) ? v : [];
}

/** First child element named `name`. */
export function kid(el: XEl | undefined, name: string): XEl | undefined {
  return kids(el, name)[0];
}

/** Attribute value, or undefined. */
export function attr(el: XEl | undefined, name: string): string | undefined {
  return el?.$?.[name];
}

/** Pacemaker's booleans: true/yes/on/1 (any case) or a positive timestamp (2.1.7 node_state). */
export function truthy(v: string | undefined): boolean {
  if (v === undefined) return false;
  const s = v.toLowerCase();
  if (s === 'true' || s === 'yes' || s === 'on' || s === '1' || s === 'y' || s === 'online' || s === 'member') return true;
  return /^\d+$/.test(s) && Number(s) > 0;
}

/** `ocf::heartbeat:Xen` (before 2.1.0) → `ocf:heartbeat:Xen`. */
export function normalizeAgent(agent: string | undefined): string | undefined {
  return agent?.replace(/::/g, ':');
}

/** Master/Slave (before 2.1.0) → Promoted/Unpromoted. */
export function normalizeRole(role: string | undefined): string {
  if (!role) return 'Stopped';
  if (role === 'Master') return 'Promoted';
  if (role === 'Slave') return 'Unpromoted';
  return role;
}

/** A clone instance id (`fs:1`) → its resource id (`fs`). */
export function baseId(id: string): string {
  return /:\d+$/.test(id) ? id.replace(/:\d+$/, '') : id;
}
