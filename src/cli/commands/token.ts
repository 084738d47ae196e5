import { readFileSync } from 'node:fs';
import { generateToken, hashToken, isTokenFormat } from '../../auth/index.ts';
import { clientFor } from '../connection.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { fields, formatAge, table, toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand, str } from '../parse.ts';
import { asPage } from '../shapes.ts';

const USAGE = 'hasf token create PERSON [--ttl 30d] [--label TEXT] | revoke ID | list [--person NAME] | hash [TOKEN] | generate';

/** Help of `hasf token`. */
export const TOKEN_HELP = `API tokens (admin role for create, revoke and list).

Usage:
  hasf token create PERSON [--ttl 30d] [--label TEXT]
                          a new token for PERSON, shown once (HASF keeps its hash)
  hasf token revoke ID    revoke a token (tok_…)
  hasf token list [--person NAME]
                          live tokens (never their values)
  hasf token hash [TOKEN] the sha256:… of a token (from stdin when omitted), to declare
                          it in the configuration as people[].tokenHashes (no API call)
  hasf token generate     a new token and its hash, for tokenHashes (no API call)

${API_OPTIONS_HELP}`;

/** A token as GET /v1/tokens lists it. */
interface TokenInfo {
  id: string;
  person: string;
  label?: string;
  createdAt: string;
  expiresAt?: string;
}

/** `hasf token …`. */
export async function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...API_OPTIONS, ttl: { type: 'string' }, label: { type: 'string' }, person: { type: 'string' } }, USAGE);
  if (values.help) return io.out(TOKEN_HELP), EXIT.OK;
  const [action, arg, ...rest] = positionals;
  if (rest.length) throw new UsageError(`Too many arguments. Usage: ${USAGE}`);
  if (action === 'hash') {
    const token = (arg ?? readFileSync(0, 'utf8')).trim();
    if (!isTokenFormat(token)) throw new UsageError('That is not a HASF token (hasf_ and 43 base64url characters).');
    io.out(values.json ? toJson({ hash: hashToken(token) }) : hashToken(token));
    return EXIT.OK;
  }
  if (action === 'generate') {
    const token = generateToken();
    if (values.json) io.out(toJson({ token, hash: hashToken(token) }));
    else io.out(fields([['Token', token], ['Hash', hashToken(token)]]) + '\nPut the hash in people[].tokenHashes; give the token to its person; keep it nowhere else.');
    return EXIT.OK;
  }
  const api = await clientFor(values, io);
  if (action === 'create') {
    if (!arg) throw new UsageError(`Missing PERSON. Usage: hasf token create PERSON [--ttl 30d] [--label TEXT]`);
    const ttl = str(values, 'ttl');
    if (ttl !== undefined && !/^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/.test(ttl)) throw new UsageError(`--ttl ${ttl}: write a lifetime such as 90d, 12h or 1d12h.`);
    const t = await api.json<{ id: string; person: string; token: string; label?: string; expiresAt?: string }>('POST', '/v1/tokens', { body: { person: arg, ttl, label: str(values, 'label') } });
    if (values.json) io.out(toJson(t));
    else {
      io.out(fields([['Token', t.token], ['Id', t.id], ['Person', t.person], ['Label', t.label], ['Expires', t.expiresAt ?? 'never']]));
      io.err('This is the only time the token is shown; HASF keeps only its hash.');
    }
    return EXIT.OK;
  }
  if (action === 'revoke') {
    if (!arg) throw new UsageError('Missing token ID (tok_…). Usage: hasf token revoke ID');
    await api.json('DELETE', `/v1/tokens/${encodeURIComponent(arg)}`);
    io.out(values.json ? toJson({ revoked: arg }) : `Token ${arg} revoked.`);
    return EXIT.OK;
  }
  if (action === 'list') {
    if (arg) throw new UsageError('hasf token list takes no argument; filter with --person NAME.');
    const tokens = asPage<TokenInfo>(await api.json('GET', '/v1/tokens', { query: { person: str(values, 'person') } }), 'tokens').items;
    if (values.json) io.out(toJson(tokens));
    else io.out(tokens.length ? table(['ID', 'PERSON', 'LABEL', 'CREATED', 'EXPIRES'], tokens.map((t) => [t.id, t.person, t.label, `${formatAge(t.createdAt)} ago`, t.expiresAt ?? 'never'])) : 'No tokens in Redis (tokens declared in the configuration as tokenHashes are not listed).');
    return EXIT.OK;
  }
  throw new UsageError(`Usage: ${USAGE}`);
}
