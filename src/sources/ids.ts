/**
 * The deployment sources' ids, in SOURCES' order (index.ts), without the sources: their loaders and parsers are most
 * of the static stage, and the `live` command, which names them in its help, is bundled without it
 * (scripts/bundle.js). test/sources/registry.test.ts keeps the two lists equal.
 */
export const SOURCE_IDS = ['compose', 'kustomize', 'kubernetes', 'helm', 'procfile', 'systemd', 'supervisord', 'fly'] as const;
