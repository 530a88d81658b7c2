/** The scheme of a URL-like text (`redis`), when it starts with a plain one. */
function schemeOf(raw: string): string | undefined {
  return /^([a-z][a-z0-9+.-]{0,15}):/i.exec(raw)?.[1]?.toLowerCase();
}

/**
 * Replaces the password (or a lone user-as-password) of a URL with `***`: `redis://user:***@host:6379/0`. A text
 * that does not parse as a URL is never echoed (an unencoded `/` in a password makes the parser stop inside the
 * secret): only its scheme is shown, `redis://…`.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const scheme = schemeOf(raw);
    return scheme ? `${scheme}://…` : '(not a URL)';
  }
  // `user:pw@host` or `rediss:/u:pw@host` without `//` parses with an opaque path: only the scheme is shown.
  if (!raw.includes('//')) return `${url.protocol}…`;
  if (url.password) url.password = '***';
  else if (url.username && !url.password && /^rediss?:$/.test(url.protocol)) url.username = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|token|secret|key/i.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString();
}

/**
 * Removes the given secrets from an untrusted text (a server's error message or answer, a socket error): every
 * occurrence as written, upper-cased or lower-cased (a server that echoes a token back upper-cased still leaks it),
 * and any value written after `AUTH` or a password/token option (redactSecretValues). Apply it to the untrusted
 * fragment only, never to a whole message the doctor wrote: a password that is an ordinary word (`redis`) must not
 * turn "Cannot connect to Redis at redis://…" into "Cannot connect to *** at ***://…".
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = redactSecretValues(text);
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of new Set([secret, secret.toUpperCase(), secret.toLowerCase()])) result = result.split(form).join('***');
  }
  return result;
}

/** `AUTH [user] password` as a command line quotes it (redis-cli, MONITOR, a proxy's log): the command in capitals. */
const AUTH_ARGUMENTS = /\b(AUTH)(\s+)("[^"\n]*"|'[^'\n]*'|[^\s"']+)(?:(\s+)("[^"\n]*"|'[^'\n]*'|[^\s"']+))?/g;
/** `password=x`, `"password": "x"`, `token: x` (the value is replaced, not the name). */
const SECRET_FIELD = /\b(password|passwd|requirepass|masterauth|token|secret|api[-_]?key)(["']?\s*[:=]\s*["']?)([^\s"'&,;]+)/gi;
/** `--password x`, `-a x` (redis-cli), `requirepass x` (redis.conf). */
const SECRET_FLAG = /(^|\s)(--(?:password|pass|token|secret|api-key)|-a|requirepass|masterauth)(\s+)([^\s"']+)/gi;

/**
 * The values written where a secret goes — the arguments of `AUTH` and of password/token options — as `***`,
 * whatever they are: a secret the doctor was not told about is still a secret in that place.
 */
export function redactSecretValues(text: string): string {
  return text
    .replace(AUTH_ARGUMENTS, (_all, auth: string, gap: string, first: string, gap2?: string, second?: string) =>
      second !== undefined ? `${auth}${gap}${first}${gap2}***` : `${auth}${gap}***`,
    )
    .replace(SECRET_FIELD, (_all, name: string, separator: string) => `${name}${separator}***`)
    .replace(SECRET_FLAG, (_all, before: string, flag: string, gap: string) => `${before}${flag}${gap}***`);
}

/** A bare `host:port` (no credentials, nothing that could be a secret): safe to quote back in a suggestion. */
const BARE_HOST_PORT = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):\d{1,5}(?:\/\d{1,5})?$/;

/**
 * A Redis URL whose form is wrong although `new URL` may accept it: `redis:/host:6379` (one slash: the host becomes
 * the path), `localhost:6379` (no scheme: `localhost` becomes the scheme), a port above 65535. Returns the reason,
 * naming the wrong part; quotes the text back only when it is a bare host:port (anything else may hold a password).
 */
export function redisUrlFormProblem(raw: string): string | undefined {
  const slashes = /^(rediss?):(\/?)(?!\/)/i.exec(raw);
  if (slashes) {
    const fixed = `${slashes[1]!.toLowerCase()}://${raw.slice(slashes[0].length)}`;
    const shown = BARE_HOST_PORT.test(raw.slice(slashes[0].length)) ? `: write ${fixed}` : '';
    return `\`${slashes[1]!.toLowerCase()}:\` must be followed by two slashes${shown}`;
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return BARE_HOST_PORT.test(raw) ? `it has no scheme: write redis://${raw}` : 'it does not start with redis:// or rediss://';
  }
  const authority = raw.slice(raw.indexOf('//') + 2).split(/[/?#]/, 1)[0]!;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1).replace(/^\[[^\]]*\]/, '');
  const port = /:(\d+)$/.exec(hostPort)?.[1];
  if (port !== undefined && Number(port) > 65_535) return `the port ${port.length > 6 ? `${port.slice(0, 6)}…` : port} is out of range (0–65535)`;
  return undefined;
}

/**
 * Why a Redis URL does not parse, naming the part that is wrong and never quoting it (it may hold the password).
 */
export function badRedisUrlReason(raw: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (!scheme) return 'it does not start with redis:// or rediss://';
  const rest = raw.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at >= 0 && /[/?#\s]/.test(rest.slice(0, at))) {
    return 'the user or password holds a character that must be percent-encoded (`/` as %2F, `?` as %3F, `#` as %23, a space as %20)';
  }
  const host = at >= 0 ? rest.slice(at + 1) : rest;
  if (/^[^/?#]*:[^/?#]*[^0-9/?#][^/?#]*(?:[/?#]|$)/.test(host.replace(/^\[[^\]]*\]/, ''))) return 'the port is not a number';
  return 'the host cannot be parsed';
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

/** `redis+sentinel://…` / `rediss+sentinel://…`: several hosts, so not a URL `new URL` parses. */
export const isSentinelUrl = (raw: string) => /^rediss?\+sentinel:/i.test(raw);

/** A Sentinel URL with its credentials' password as `***` (the master's; the sentinels' password is never in it). */
export function redactSentinelUrl(raw: string): string {
  return raw.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_all, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${auth.slice(0, colon)}:***`}@`;
  });
}

/** Any `--redis` as printed: Sentinel URLs by their own rule, the others by redactUrl. */
export const redactRedisUrl = (raw: string) => (isSentinelUrl(raw) ? redactSentinelUrl(raw) : redactUrl(raw));

/**
 * The credentials written in a URL (password, and a lone `redis://secret@host` user), raw and decoded, to scrub.
 * For a Sentinel URL, the master's password (a lone credential is the password there).
 */
export function urlSecrets(raw: string | undefined): string[] {
  if (!raw) return [];
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  if (isSentinelUrl(raw)) {
    const auth = /^[a-z+]+:\/\/([^@/]*)@/i.exec(raw)?.[1];
    if (!auth) return [];
    const password = auth.includes(':') ? auth.slice(auth.indexOf(':') + 1) : auth;
    return [password, decode(password)];
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const parts = [url.password];
  if (!url.password && /^rediss?:$/.test(url.protocol)) parts.push(url.username);
  return parts.filter(Boolean).flatMap((part) => [part, decode(part)]);
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Shows every control character of an untrusted text (from Redis, a server) as a visible escape (`\x1b`), so a
 * worker name or an exception cannot set the window title, clear the screen or fake lines, in any format.
 */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const HAS_CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Plain data (the live section, findings) with escapeControlChars applied to every string in it. Copy on write: an
 * array or object is copied only when something in it changed, so the usual report (nothing to escape; 1,000 workers
 * in a live section) is returned as it is instead of copied whole.
 */
export function escapeControlCharsDeep<T>(value: T): T {
  if (typeof value === 'string') return (HAS_CONTROL_CHAR.test(value) ? escapeControlChars(value) : value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const escaped = escapeControlCharsDeep(item);
      if (escaped !== item) (copy ??= value.slice())[index] = escaped;
    }
    return (copy ?? value) as T;
  }
  if (value && typeof value === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      const escaped = escapeControlCharsDeep(item);
      if (escaped !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = escaped;
    }
    return (copy ?? value) as T;
  }
  return value;
}
