import type { Command } from 'commander';
import { registerAlerts } from './commands/alerts.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerExporter } from './commands/exporter.js';
import { registerFix } from './commands/fix.js';
import { registerLive } from './commands/live.js';
import { registerServe } from './commands/serve.js';
import { registerSmoke } from './commands/smoke.js';
import { registerStatic } from './commands/static.js';
import { rootProgram } from './root.js';

/** Every command and option: what the CLI parses, and what docs/options.md is rendered from (src/cli/options-doc.ts). */
export function buildProgram(): Command {
  return rootProgram((program) => {
    registerCheck(program);
    registerStatic(program);
    registerFix(program);
    registerLive(program);
    registerSmoke(program);
    registerServe(program);
    registerDemo(program);
    registerExporter(program);
    registerAlerts(program);
  });
}
