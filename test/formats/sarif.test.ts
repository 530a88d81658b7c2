import { describe, expect, it } from 'vitest';
import { findingFingerprint } from '../../src/report/fingerprint.js';
import { buildReport } from '../../src/report/build.js';
import { formatSarif } from '../../src/report/sarif.js';
import { RULES, type RuleId } from '../../src/rules.js';
import { emptyReport, FINDING_BY_RULE, fullReport } from './reports.js';
import { sarifValidator } from './sarif-schema.js';

const validate = sarifValidator();

function parse(text: string) {
  const log = JSON.parse(text);
  const valid = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return log;
}

describe('sarif format', () => {
  it('the validator rejects an invalid log (the schema is really applied)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    const log = JSON.parse(formatSarif(fullReport()));
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('an empty report is a valid log with the full rule set and no results', () => {
    const log = parse(formatSarif(emptyReport()));
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].results).toEqual([]);
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('receipts-doctor');
    expect(driver.version).toBe(emptyReport().version);
    expect(driver.rules.map((rule: { id: string }) => rule.id)).toEqual(RULES.map((rule) => rule.id));
  });

  it('every rule has a description, help text and a helpUri to its doc page', () => {
    const log = parse(formatSarif(emptyReport()));
    for (const rule of log.runs[0].tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(10);
      expect(rule.help.text.length).toBeGreaterThan(10);
      expect(rule.helpUri).toMatch(new RegExp(`/docs/rules/${rule.id}\\.md$`));
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    }
  });

  it('a report with findings of every rule from every stage: one result per finding, levels and locations', () => {
    const report = fullReport();
    const log = parse(formatSarif(report));
    const results = log.runs[0].results;
    expect(results).toHaveLength(report.findings.length);
    expect(new Set(results.map((r: { ruleId: string }) => r.ruleId))).toEqual(new Set(RULES.map((rule) => rule.id)));
    const rules = log.runs[0].tool.driver.rules;
    report.findings.forEach((finding, index) => {
      const result = results[index];
      expect(result.ruleId).toBe(finding.rule);
      expect(rules[result.ruleIndex].id).toBe(finding.rule);
      expect(result.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[finding.severity]);
      expect(result.message.text).toContain(finding.message);
      expect(result.partialFingerprints['receiptsDoctorFinding/v1']).toBe(findingFingerprint(finding));
      if (finding.location) {
        const physical = result.locations[0].physicalLocation;
        expect(physical.artifactLocation.uri).toBe(finding.location.file);
        expect(physical.artifactLocation.uri).not.toMatch(/^\/|^file:/);
        expect(physical.region.startLine).toBe(finding.location.line);
        if (finding.location.column) expect(physical.region.startColumn).toBe(finding.location.column);
      } else {
        // GitHub rejects a whole file with an unlocated result: live/smoke findings are anchored in the project.
        const uri = result.locations[0].physicalLocation.artifactLocation.uri;
        expect([...report.static!.environments.flatMap((env) => env.files), ...report.static!.producers.map((p) => p.location.file)]).toContain(uri);
      }
      expect(result.locations[0].physicalLocation.artifactLocation.uri.length).toBeGreaterThan(0);
    });
    const stages = new Set(results.map((r: { properties: { stage: string } }) => r.properties.stage));
    expect(stages).toEqual(new Set(['static', 'live', 'smoke']));
  });

  it('anchors a live finding at the code enqueueing to its queue, or at its environment\'s compose file', () => {
    const report = fullReport();
    const log = parse(formatSarif(report));
    const byRule = (id: string) => log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === id);
    expect(byRule('live-queue-without-worker').locations[0].physicalLocation.artifactLocation.uri).toBe('server/routes/receipts.py');
    expect(byRule('smoke-timeout').locations[0].physicalLocation.artifactLocation.uri).toBe('docker-compose.yml');
    // Without a static stage there is nothing to anchor to; the log stays schema-valid.
    const liveOnly = parse(formatSarif(buildReport([FINDING_BY_RULE['stale-worker']!], {})));
    expect(liveOnly.runs[0].results[0].locations).toBeUndefined();
  });

  it('related locations carry file and line; paths with spaces are encoded as URI references', () => {
    const finding = { ...FINDING_BY_RULE['queue-without-worker']!, location: { file: 'my app/routes #1.py', line: 3 } };
    const log = parse(formatSarif(buildReport([finding], {})));
    const result = log.runs[0].results[0];
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('my%20app/routes%20%231.py');
    expect(result.relatedLocations[0].physicalLocation.artifactLocation.uri).toBe('docker-compose.prod.yml');
    expect(result.relatedLocations[0].physicalLocation.region.startLine).toBe(14);
    // the config line to change is a related location that says what to change; the primary stays the enqueue site
    expect(result.locations).toHaveLength(1);
    expect(result.relatedLocations[0].message.text).toBe(
      'Service `worker` in `prod` listens to `high`, `low`. Add `default` to RQ_QUEUES of service `worker` in docker-compose.prod.yml:14.',
    );
  });

  it('a finding of a rule the registry does not know still gets a rule descriptor', () => {
    const log = parse(
      // Only reachable from outside the type system (a report of a newer version read back), hence the cast.
      formatSarif(buildReport([{ rule: 'future-rule' as string as RuleId, severity: 'warning', stage: 'live', message: 'Something new.' }], {})),
    );
    const result = log.runs[0].results[0];
    expect(log.runs[0].tool.driver.rules[result.ruleIndex].id).toBe('future-rule');
  });
});
