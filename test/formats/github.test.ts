import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { formatGithub } from '../../src/report/github.js';
import { emptyReport, FINDING_BY_RULE, fullReport } from './reports.js';

/** Parses one `::command k=v,k=v::data` line as the Actions runner does (splitting, then unescaping). */
function parseCommand(line: string) {
  const match = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const unescape = (text: string) =>
    text.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const index = pair.indexOf('=');
    properties[pair.slice(0, index)] = unescape(pair.slice(index + 1));
  }
  return { command: match[1]!, properties, data: unescape(match[3]!) };
}

describe('github format', () => {
  it('an empty report prints only the verdict line', () => {
    const lines = formatGithub(emptyReport()).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(parseCommand(lines[0]!)).toBeUndefined();
    expect(lines[0]).toMatch(/OK/);
  });

  it('one annotation per finding, with the level of its severity, file, line and title', () => {
    const report = fullReport();
    const lines = formatGithub(report).trimEnd().split('\n');
    const all = lines.map(parseCommand).filter((command) => command !== undefined);
    // queue-without-worker adds a second annotation on the config line to change (checked below)
    const commands = all.filter((command) => !command.properties.title!.endsWith('the line to change'));
    expect(commands).toHaveLength(report.findings.length);
    expect(all).toHaveLength(report.findings.length + 1);
    expect(lines).toHaveLength(report.findings.length + 2);
    report.findings.forEach((finding, index) => {
      const command = commands[index]!;
      expect(command.command).toBe({ error: 'error', warning: 'warning', info: 'notice' }[finding.severity]);
      expect(command.properties.title).toContain(finding.rule);
      expect(command.data.split('\n')[0]).toBe(finding.message);
      if (finding.location) {
        expect(command.properties.file).toBe(finding.location.file);
        expect(command.properties.line).toBe(String(finding.location.line));
      } else {
        expect(command.properties.file).toBeUndefined();
      }
    });
    expect(new Set(commands.map((command) => command.command))).toEqual(new Set(['error', 'warning', 'notice']));
  });

  it('annotates the config line to change too, so a PR that edits only the compose file sees it', () => {
    const finding = FINDING_BY_RULE['queue-without-worker']!;
    const lines = formatGithub(buildReport([finding], {})).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const [site, config] = [parseCommand(lines[0]!)!, parseCommand(lines[1]!)!];
    expect(site.properties).toMatchObject({ file: 'server/routes/receipts.py', line: '42' });
    expect(config.command).toBe('error');
    expect(config.properties).toMatchObject({ file: 'docker-compose.prod.yml', line: '14' });
    expect(config.properties.title).toBe('receipts-doctor queue-without-worker: the line to change');
    expect(config.data.split('\n')).toEqual([
      'Add `default` to RQ_QUEUES of service `worker` in docker-compose.prod.yml:14.',
      finding.message,
      'Enqueued at server/routes/receipts.py:42.',
    ]);
  });

  it('escapes %, newlines, and : and , in properties so one finding stays one command', () => {
    const finding = {
      ...FINDING_BY_RULE['queue-var-empty']!,
      message: 'RQ_QUEUES is 100% empty,\nreally: yes',
      location: { file: 'deploy/a,b:c.yml', line: 4 },
    };
    const lines = formatGithub(buildReport([finding], {})).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const command = parseCommand(lines[0]!)!;
    expect(command.properties.file).toBe('deploy/a,b:c.yml');
    expect(command.data.split('\n').slice(0, 2)).toEqual(['RQ_QUEUES is 100% empty,', 'really: yes']);
  });
});
