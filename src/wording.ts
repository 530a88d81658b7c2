/**
 * How a finding names an environment: "environment `default`", never a bare "`default`" a reader takes for a
 * queue (docs/CONTRACT.md §3). Every message, hint and `fix` line names environments through this.
 */
export const environmentName = (name: string): string => `environment \`${name}\``;
