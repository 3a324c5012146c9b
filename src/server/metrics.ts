/**
 * Prometheus metrics with prom-client: the service's counters and histograms, gauges read from the
 * database at scrape time, and the client's default process and Node.js runtime series (CPU, memory,
 * event-loop lag, GC, handles), all in one registry per service (tests run several services at once).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type Labels = Record<string, string>;

const key = (l: Labels): string =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');

const SOURCES = ['generic', 'jira', 'notify'];

/** A prom-client counter that also answers its value synchronously (`get`), for tests and logs. */
class Count {
  private readonly counter: Counter<string>;
  private readonly values = new Map<string, number>();
  constructor(registry: Registry, name: string, help: string, labelNames: string[] = []) {
    this.counter = new Counter({ name, help, labelNames, registers: [registry] });
    // Series by source exist from the start (0), so alerts on them need no special case.
    if (labelNames.length === 1 && labelNames[0] === 'source')
      for (const source of SOURCES) this.counter.inc({ source }, 0);
  }
  inc(labels: Labels = {}, by = 1): void {
    this.counter.inc(labels, by);
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  /** Sum over every label set. */
  total(): number {
    let n = 0;
    for (const v of this.values.values()) n += v;
    return n;
  }
}

/** Latency buckets in seconds: 1 ms … 30 s. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class Timing {
  private readonly histogram: Histogram<string>;
  constructor(registry: Registry, name: string, help: string) {
    this.histogram = new Histogram({
      name,
      help,
      labelNames: ['source'],
      buckets: BUCKETS,
      registers: [registry],
    });
  }
  observe(seconds: number, labels: Labels = {}): void {
    this.histogram.observe(labels, seconds);
  }
}

export interface GaugeReading {
  name: string;
  help: string;
  values: { labels?: Labels; value: number }[];
}

/** The service's metrics. Counters are per process (they restart at 0); gauges come from the database. */
export class Metrics {
  readonly registry = new Registry();
  readonly accepted = new Count(
    this.registry,
    'reglament_events_accepted_total',
    'Webhook events accepted and stored in the inbox.',
    ['source'],
  );
  readonly duplicates = new Count(
    this.registry,
    'reglament_events_duplicate_total',
    'Redelivered webhook events (same idempotency key), not stored again.',
    ['source'],
  );
  readonly ignored = new Count(
    this.registry,
    'reglament_events_ignored_total',
    'Webhook events acknowledged without work (event types not used, own writes).',
    ['source', 'reason'],
  );
  readonly rejected = new Count(
    this.registry,
    'reglament_events_rejected_total',
    'Webhook requests refused (signature, size, schema, busy).',
    ['source', 'reason'],
  );
  readonly processed = new Count(
    this.registry,
    'reglament_events_processed_total',
    'Inbox events processed successfully.',
    ['source'],
  );
  readonly retried = new Count(
    this.registry,
    'reglament_events_retried_total',
    'Failed processing attempts scheduled for a retry.',
    ['source'],
  );
  readonly failed = new Count(
    this.registry,
    'reglament_events_failed_total',
    'Inbox events that exhausted their attempts (kept as failed).',
    ['source'],
  );
  readonly notifications = new Count(
    this.registry,
    'reglament_notifications_sent_total',
    'Notifications delivered, by channel kind (email, chat, webhook).',
    ['kind'],
  );
  readonly sweeps = new Count(this.registry, 'reglament_sweeps_total', 'Scheduled sweeps run.');
  readonly processing = new Timing(
    this.registry,
    'reglament_event_processing_seconds',
    'Time to process one inbox event (claim to settle).',
  );
  readonly lag = new Timing(
    this.registry,
    'reglament_event_lag_seconds',
    'Time from acceptance to successful processing.',
  );
  private readonly gauges = new Map<string, Gauge<string>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text, with `gauges` read at scrape time. */
  async render(gauges: GaugeReading[]): Promise<string> {
    for (const g of gauges) {
      let gauge = this.gauges.get(g.name);
      if (!gauge) {
        const labelNames = [...new Set(g.values.flatMap((v) => Object.keys(v.labels ?? {})))];
        gauge = new Gauge({ name: g.name, help: g.help, labelNames, registers: [this.registry] });
        this.gauges.set(g.name, gauge);
      }
      gauge.reset();
      for (const v of g.values) gauge.set(v.labels ?? {}, v.value);
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
