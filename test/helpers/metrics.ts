/**
 * Metrics texts as the real tools read them: Prometheus's `promtool check metrics` (Debian's `prometheus`) and the
 * strict OpenMetrics parser of the Python client (Debian's `python3-prometheus-client`); and a small reader of sample
 * lines for assertions. A missing package fails loudly with the package to install.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { PYTHON } from './rq.js';

export const PROMTOOL = '/usr/bin/promtool';

/** promtool's verdict on a metrics text: exit code and what it printed. */
export async function promtoolCheckMetrics(text: string): Promise<{ exitCode: number | undefined; output: string }> {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: apt-get install prometheus`);
  const result = await execa(PROMTOOL, ['check', 'metrics'], { input: text, reject: false });
  return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

export interface ParsedFamily {
  name: string;
  /** [sample name, labels, value] */
  samples: [string, Record<string, string>, number][];
}

/** The families of an OpenMetrics text as the strict parser reads them; a text it rejects throws. */
export async function parseOpenMetrics(text: string): Promise<ParsedFamily[]> {
  const result = await execa(
    PYTHON,
    [
      '-c',
      `import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
print(json.dumps([{"name": f.name, "samples": [[s.name, s.labels, s.value] for s in f.samples]} for f in text_string_to_metric_families(sys.stdin.read())]))`,
    ],
    { input: text, reject: false },
  );
  if (/No module named 'prometheus_client'/.test(result.stderr)) throw new Error('apt-get install python3-prometheus-client');
  if (result.exitCode !== 0) throw new Error(`the OpenMetrics parser rejected the text: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The samples of a metrics text (either flavor): name, labels, value; comments left out. */
export function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the first sample named `name` whose labels include `labels`. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text).find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

/** The family names a text declares (`# TYPE name type`), in order. */
export function familyNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]!);
}
