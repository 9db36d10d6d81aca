// Passwords never appear in output: URLs are masked by pattern, and every password pgspec
// has seen (from a URL, PGPASSWORD, a config) is registered and masked wherever it shows up.

const secrets = new Set<string>();

/** Remembers a secret so that redact() masks it in any text, not only inside URLs. */
export function registerSecret(secret: string | undefined): void {
  // Very short values would mask ordinary words; such passwords are still masked inside URLs.
  if (secret && secret.length >= 4) secrets.add(secret);
}

/** Registers the password of a connection URL, if it has one. */
export function registerUrlSecret(url: string): void {
  try {
    registerSecret(decodeURIComponent(new URL(url).password));
  } catch {
    // not a URL: nothing to register
  }
}

/** Replaces the password of every postgres:// URL, and every registered secret, with ****. */
export function redact(text: string): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)([^@\s]*)@/gi, '$1****@');
  for (const secret of secrets) out = out.split(secret).join('****');
  return out;
}

/** A connection URL safe to print: the password, if any, shown as ****. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return redact(url);
  }
}
