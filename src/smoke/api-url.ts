import { InputError } from '../errors.js';

/**
 * Why a text cannot be the base URL of the API the smoke drives ("is not a valid URL", "must be an http:// or
 * https:// URL"), or undefined when it can. The one check of `--url`, `RECEIPTS_DOCTOR_URL` and `smoke.url`.
 */
export function apiUrlProblem(raw: string): string | undefined {
  if (!URL.canParse(raw)) return 'is not a valid URL';
  if (!/^https?:$/.test(new URL(raw).protocol)) return 'must be an http:// or https:// URL';
  return undefined;
}

/** The API's base URL; anything but an http(s) URL is an input error (exit 2) that names --url. */
export function parseApiUrl(raw: string): URL {
  const problem = apiUrlProblem(raw);
  if (problem) throw new InputError(`--url ${problem}.`);
  return new URL(raw);
}
