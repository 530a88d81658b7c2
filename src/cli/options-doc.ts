import type { Command, Option } from 'commander';

/** Markers around the generated part of docs/options.md (scripts/options-docs.js writes between them). */
export const OPTIONS_DOC_START = '<!-- options:start (generated from the CLI by npm run docs:options) -->';
export const OPTIONS_DOC_END = '<!-- options:end -->';

/** A table cell: one line, pipes escaped, and `<…>` outside code spans as text (Markdown would take it for HTML). */
const cell = (text: string) =>
  text
    .replace(/\s*\n\s*/g, ' ')
    .split('`')
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('`')
    .replace(/\|/g, '\\|');

function defaultOf(option: Option): string {
  if (option.negate || option.defaultValue === undefined) return '';
  return `\`${Array.isArray(option.defaultValue) ? option.defaultValue.join(',') : String(option.defaultValue)}\``;
}

/** One section per command: its usage line, what it does, and a table of its argument and options (help excluded). */
export function renderOptionsReference(program: Command): string {
  return program.commands
    .map((command) => {
      const rows = [
        ...command.registeredArguments.map((argument) => {
          const name = argument.required ? `<${argument.name()}>` : `[${argument.name()}]`;
          const fallback = argument.defaultValue === undefined ? '' : `\`${String(argument.defaultValue)}\``;
          return `| \`${name}\` | ${cell(argument.description)} | ${fallback} |`;
        }),
        ...command.options.map((option) => `| \`${option.flags}\` | ${cell(option.description)} | ${defaultOf(option)} |`),
      ];
      return [
        `### \`${program.name()} ${command.name()} ${command.usage()}\``,
        '',
        `${cell(command.description())}.`,
        '',
        '| argument / option | meaning | default |',
        '| --- | --- | --- |',
        ...rows,
      ].join('\n');
    })
    .join('\n\n');
}
