/** Replaces the password (or a lone user-as-password) of a URL with `***`: `redis://user:***@host:6379/0`. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL: still never echo what could be a credential between '//' and '@'.
    return raw.replace(/\/\/[^/@\s]*@/, '//***@');
  }
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
