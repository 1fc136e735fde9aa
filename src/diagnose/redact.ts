/**
 * Secret redaction for everything that leaves the machine (LLM requests) or lands in a pull
 * request (quoted panic messages): tokens, keys, passwords, connection strings, JWTs, cloud keys.
 * Patterns are specific first, generic (`password=...`) last; over-redaction is preferred to a leak.
 */

export interface Redaction {
  text: string;
  /** Kinds found, with counts; never the secrets themselves. */
  found: Record<string, number>;
}

interface Pattern {
  kind: string;
  re: RegExp;
  /** Rewrites one match; default replaces it whole. `mark` is the redaction marker for this kind. */
  replace?: (mark: string, ...groups: string[]) => string;
}

const KEY_NAMES =
  'passw(?:or)?d|passwd|pwd|pass|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|auth[_-]?token|' +
  'api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret[_-]?key|private[_-]?key(?:[_-]?id)?|credentials?|session[_-]?key|signing[_-]?key';

/** Characters of an unquoted secret value. */
const VALUE = `[^\\s,;&"'(){}<>\\[\\]]`;

const patterns: Pattern[] = [
  {
    kind: 'private-key',
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'aws-access-key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: 'gcp-api-key', re: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'gcp-oauth-token', re: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { kind: 'gitlab-token', re: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { kind: 'stripe-key', re: /\b[srp]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'api-key', re: /\bsk-(?:proj-|ant-(?:api\d+-)?|svcacct-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'sendgrid-key', re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'twilio-key', re: /\bSK[0-9a-f]{32}\b/g },
  {
    kind: 'azure-key',
    re: /\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig)=([^;&\s"']+)/g,
    replace: (mark, name) => `${name}=${mark}`,
  },
  // scheme://user:password@host: keep the user and host, drop the password.
  {
    kind: 'url-credentials',
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@"'<>]*):([^\s@/"'<>]+)@/gi,
    replace: (mark, scheme, user) => `${scheme}${user}:${mark}@`,
  },
  // Go MySQL DSN: user:password@tcp(host:3306)/db
  {
    kind: 'dsn-password',
    re: /([\w.-]+):([^\s@:/"'[\]]+)@(tcp|unix|udp)\(/g,
    replace: (mark, user, _pw, net) => `${user}:${mark}@${net}(`,
  },
  {
    kind: 'authorization',
    re: /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/g,
    replace: (mark, scheme) => `${scheme} ${mark}`,
  },
  // name = value, name: value, "name": "value", name := "value" (env files, JSON, Go source, libpq DSNs).
  {
    kind: 'secret-value',
    re: new RegExp(
      // An unquoted value followed by `(` is a call in source code (`os.Getenv(...)`), not a secret.
      `((?:[\\w.-]*?)(?:${KEY_NAMES})[\\w.-]*["']?\\s*(?::=|=>|[:=])\\s*)("[^"\\n]*"|'[^'\\n]*'|\`[^\`]*\`|(?![=:>])${VALUE}+(?!${VALUE}|\\())`,
      'gi',
    ),
    replace: (mark, lead, value) => {
      const q = value[0] === '"' || value[0] === "'" || value[0] === '`' ? value[0] : '';
      const inner = q ? value.slice(1, -1) : value;
      // Already redacted by a more specific pattern, or empty: leave it.
      if (inner === '' || /^\[REDACTED:[a-z-]+\]$/.test(inner)) return `${lead}${value}`;
      return `${lead}${q}${mark}${q}`;
    },
  },
];

/** Marker text; kept short and recognisable so that readers (and models) see something was removed. */
export const mark = (kind: string): string => `[REDACTED:${kind}]`;

/** Redacts every known secret form in `text`. */
export function redact(text: string): Redaction {
  const found: Record<string, number> = {};
  let out = text;
  for (const p of patterns) {
    out = out.replace(p.re, (match: string, ...rest: unknown[]) => {
      const groups = rest.filter((r): r is string => typeof r === 'string');
      const replaced = p.replace ? p.replace(mark(p.kind), ...groups) : mark(p.kind);
      if (replaced === match) return match;
      found[p.kind] = (found[p.kind] ?? 0) + 1;
      return replaced;
    });
  }
  return { text: out, found };
}

/** Redacts and returns only the text. */
export function redacted(text: string): string {
  return redact(text).text;
}
