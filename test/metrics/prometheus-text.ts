/**
 * A reader of Prometheus' text exposition format (version 0.0.4), enough for tests to check
 * what /metrics says: samples with their labels and values, and the # TYPE lines. Written here
 * rather than taken from prom-client, so the test does not check the library with itself.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class Scrape {
  readonly samples: Sample[] = [];
  readonly types = new Map<string, string>();

  constructor(readonly text: string) {
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) {
        this.types.set(type[1] as string, type[2] as string);
        continue;
      }
      if (line.startsWith("#")) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      this.samples.push({
        name: match[1] as string,
        labels: parseLabels(match[2] ?? ""),
        value: parseValue(match[3] as string),
      });
    }
  }

  /** The sum of the samples of `name` whose labels include `labels` (0 when there are none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((total, sample) => total + sample.value, 0);
  }

  matching(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }

  /** Every value label `label` takes among the samples of `name`. */
  labelValues(name: string, label: string): Set<string> {
    return new Set(this.matching(name).flatMap((sample) => sample.labels[label] ?? []));
  }
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while ((match = pattern.exec(text)) !== null) {
    labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) =>
      c === "n" ? "\n" : c,
    );
    at = pattern.lastIndex;
  }
  if (at !== text.length) throw new Error(`malformed labels: {${text}}`);
  return labels;
}

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  // Prometheus reads NaN in any case; prom-client writes "Nan".
  if (/^nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}
