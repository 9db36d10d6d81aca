/** Replaces the password of every postgres:// URL in a text with ****. */
export function redact(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)([^@\s]*)@/gi, '$1****@');
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
