import type { MetricsFlavor } from '../report/openmetrics.js';

/** The Content-Type of each flavor, as Prometheus and the OpenMetrics spec name them. */
export const CONTENT_TYPES: Record<MetricsFlavor, string> = {
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
};

/** Media ranges a header may list; a scrape's Accept is a few of them, anything longer is not a scraper's. */
const MAX_ACCEPT_RANGES = 32;

/** The `q` of a media range (`;q=0.5`), 1 when absent, 0 when it is not a number in [0, 1]. */
function quality(parameters: string[]): number {
  for (const parameter of parameters) {
    const [key, value] = parameter.split('=').map((part) => part.trim());
    if (key?.toLowerCase() !== 'q' || value === undefined) continue;
    const number = Number(value);
    return Number.isFinite(number) && number >= 0 && number <= 1 ? number : 0;
  }
  return 1;
}

/**
 * Which text a scrape gets: OpenMetrics when its `Accept` header asks for `application/openmetrics-text` at least as
 * much as for the text format (Prometheus sends `application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,…`
 * when its scrape config allows it), the Prometheus text format 0.0.4 otherwise (curl, an old scraper, no header).
 */
export function negotiateFlavor(accept: string | undefined): MetricsFlavor {
  if (!accept) return 'prometheus';
  let openmetrics = 0;
  let text = 0;
  for (const range of accept.split(',').slice(0, MAX_ACCEPT_RANGES)) {
    const [type = '', ...parameters] = range.split(';');
    const media = type.trim().toLowerCase();
    const q = quality(parameters);
    if (media === 'application/openmetrics-text') openmetrics = Math.max(openmetrics, q);
    else if (media === 'text/plain') text = Math.max(text, q);
  }
  return openmetrics > 0 && openmetrics >= text ? 'openmetrics' : 'prometheus';
}
