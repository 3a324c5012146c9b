/**
 * Prometheus metrics in the text exposition format (no client library: a few counters, gauges read
 * at scrape time and one histogram).
 */

type Labels = Record<string, string>;

const labelText = (l: Labels): string => {
  const e = Object.entries(l);
  return e.length === 0
    ? ''
    : `{${e.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
};

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    const v = this.values.get(k);
    if (v) v.value += by;
    else this.values.set(k, { labels, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  /** Sum over every label set. */
  total(): number {
    let n = 0;
    for (const v of this.values.values()) n += v.value;
    return n;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const v of this.values.values()) lines.push(`${this.name}${labelText(v.labels)} ${v.value}`);
    return lines.join('\n');
  }
}

/** Latency buckets in seconds: 1 ms … 30 s. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class Histogram {
  private readonly counts = new Map<
    string,
    { labels: Labels; buckets: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(seconds: number, labels: Labels = {}): void {
    const k = labelText(labels);
    let h = this.counts.get(k);
    if (!h) {
      h = { labels, buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.counts.set(k, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.buckets[i]! += 1;
    h.sum += seconds;
    h.count += 1;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const h of this.counts.values()) {
      BUCKETS.forEach((b, i) =>
        lines.push(`${this.name}_bucket${labelText({ ...h.labels, le: String(b) })} ${h.buckets[i]}`),
      );
      lines.push(`${this.name}_bucket${labelText({ ...h.labels, le: '+Inf' })} ${h.count}`);
      lines.push(`${this.name}_sum${labelText(h.labels)} ${h.sum}`);
      lines.push(`${this.name}_count${labelText(h.labels)} ${h.count}`);
    }
    return lines.join('\n');
  }
}

export interface GaugeReading {
  name: string;
  help: string;
  values: { labels?: Labels; value: number }[];
}

/** The service's metrics. Counters are per process (they restart at 0); gauges come from the database. */
export class Metrics {
  readonly accepted = new Counter(
    'reglament_events_accepted_total',
    'Webhook events accepted and stored in the inbox.',
  );
  readonly duplicates = new Counter(
    'reglament_events_duplicate_total',
    'Redelivered webhook events (same idempotency key), not stored again.',
  );
  readonly ignored = new Counter(
    'reglament_events_ignored_total',
    'Webhook events acknowledged without work (event types not used, own writes).',
  );
  readonly rejected = new Counter(
    'reglament_events_rejected_total',
    'Webhook requests refused (signature, size, schema).',
  );
  readonly processed = new Counter(
    'reglament_events_processed_total',
    'Inbox events processed successfully.',
  );
  readonly retried = new Counter(
    'reglament_events_retried_total',
    'Failed processing attempts scheduled for a retry.',
  );
  readonly failed = new Counter(
    'reglament_events_failed_total',
    'Inbox events that exhausted their attempts (kept as failed).',
  );
  readonly sweeps = new Counter('reglament_sweeps_total', 'Scheduled sweeps run.');
  readonly processing = new Histogram(
    'reglament_event_processing_seconds',
    'Time to process one inbox event (claim to settle).',
  );
  readonly lag = new Histogram(
    'reglament_event_lag_seconds',
    'Time from acceptance to successful processing.',
  );

  render(gauges: GaugeReading[]): string {
    const parts = [
      this.accepted,
      this.duplicates,
      this.ignored,
      this.rejected,
      this.processed,
      this.retried,
      this.failed,
      this.sweeps,
      this.processing,
      this.lag,
    ].map((m) => m.render());
    for (const g of gauges) {
      const lines = [`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`];
      for (const v of g.values) lines.push(`${g.name}${labelText(v.labels ?? {})} ${v.value}`);
      parts.push(lines.join('\n'));
    }
    return `${parts.join('\n')}\n`;
  }
}
