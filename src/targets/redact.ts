// Passwords never appear in output: URLs are masked by pattern, and every password pgspec
// has seen (from a URL, PGPASSWORD, a .pgpass file, a config) is registered and masked
// wherever it shows up, in its plain and its URL-encoded spelling.

const secrets = new Set<string>();
/** The secrets longest first, so that a secret containing another is masked whole. */
let ordered: string[] = [];

/** Remembers a secret so that redact() masks it in any text, not only inside URLs. */
export function registerSecret(secret: string | undefined): void {
  // Very short values would mask ordinary words; such passwords are still masked inside URLs.
  if (!secret || secret.length < 4) return;
  secrets.add(secret);
  // A URL carries the password percent-encoded: `p@ss` is `p%40ss` there.
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) secrets.add(encoded);
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Registers the password of a connection URL, if it has one. */
export function registerUrlSecret(url: string): void {
  try {
    const raw = new URL(url).password;
    registerSecret(raw);
    registerSecret(decodeURIComponent(raw));
  } catch {
    // not a URL (or a malformed escape): nothing more to register
  }
}

/** Replaces every registered secret, and the password of every postgres:// URL, with ****. */
export function redact(text: string): string {
  let out = text;
  for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join('****');
  // user:password@ up to the last @ before the host: a password may hold an unencoded @.
  return out.includes('@') ? out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)([^\s/]*)@/gi, '$1****@') : out;
}

/** A connection URL safe to print: the password, if any, shown as ****. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return redact(u.toString());
  } catch {
    return redact(url);
  }
}
