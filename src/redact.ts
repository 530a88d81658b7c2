/** Replaces the password (or a lone user-as-password) of a URL with `***`: `redis://user:***@host:6379/0`. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL: still never echo what could be a credential before an '@' (`//user:pw@`, or `:pw@host` with no scheme).
    return raw.replace(/(^|\/\/)[^/@\s]*@/, '$1***@');
  }
  // `user:pw@host` without `//` parses as scheme `user:` with an opaque path: nothing before an '@' is shown.
  if (!raw.includes('//')) return raw.replace(/^[^/@\s]*@/, '***@');
  if (url.password) url.password = '***';
  else if (url.username && !url.password && /^rediss?:$/.test(url.protocol)) url.username = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|token|secret|key/i.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString();
}

/** Removes every occurrence of the given secrets from a text (last line of defence for error messages). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) result = result.split(secret).join('***');
  }
  return result;
}

/**
 * Replaces the password of every URL written in a free text (`scheme://user:secret@host` → `scheme://user:***@host`,
 * and a lone `redis://secret@host` → `redis://***@host`): servers quote connection strings in their error messages.
 */
export function redactUrlsInText(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"`<>]*):([^\s/@'"`<>]+)@/gi, '$1$2:***@')
    .replace(/\b(rediss?:\/\/)([^\s/@:'"`<>]+)@/gi, '$1***@');
}

/** The credentials written in a URL (password, and a lone `redis://secret@host` user), raw and decoded, to scrub. */
export function urlSecrets(raw: string | undefined): string[] {
  if (!raw) return [];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const parts = [url.password];
  if (!url.password && /^rediss?:$/.test(url.protocol)) parts.push(url.username);
  return parts.filter(Boolean).flatMap((part) => [part, decode(part)]);
}
