/** Test data builders with overrides (STYLE.md item 6). */
import { defaultSettings } from '../../src/app/settings';
import type { Settings, SlaRecordRow } from '../../src/app/ports';
import type { AppDeps } from '../../src/app/deps';
import { MemoryJira, MemoryStore, type MemoryIssue } from '../../src/adapters/memory';
import { parseInstant } from '../../src/domain/calendar';

/** Settings with SPEC defaults and Incident/Bug as the mapped types, overridable. */
export function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    ...defaultSettings(),
    issueTypes: { incident: ['Incident'], error: ['Bug'] },
    ...overrides,
  };
}

let seq = 0;

/** SPEC §8 example 1: incident, failure, high/high, operation, registered Fri 2026-03-06 16:30 MSK. */
export function incidentIssue(
  overrides: Partial<Omit<MemoryIssue, 'inputs'>> & { inputs?: Partial<MemoryIssue['inputs']> } = {},
): Omit<MemoryIssue, 'shown' | 'statusCategory'> & Partial<MemoryIssue> {
  seq += 1;
  const { inputs, ...rest } = overrides;
  return {
    id: String(10000 + seq),
    key: `SUP-${seq}`,
    project: 'SUP',
    issueType: 'Incident',
    ...rest,
    inputs: {
      registeredAt: '2026-03-06T16:30:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      ...inputs,
    },
  };
}

/** SPEC §8 example 3: error, high impact, medium urgency, operation, workaround moderate → 5 medium. */
export function errorIssue(
  overrides: Partial<Omit<MemoryIssue, 'inputs'>> & { inputs?: Partial<MemoryIssue['inputs']> } = {},
): Omit<MemoryIssue, 'shown' | 'statusCategory'> & Partial<MemoryIssue> {
  seq += 1;
  const { inputs, ...rest } = overrides;
  return {
    id: String(20000 + seq),
    key: `SUP-${1000 + seq}`,
    project: 'SUP',
    issueType: 'Bug',
    ...rest,
    inputs: {
      registeredAt: '2026-03-02T10:00:00+03:00',
      impact: 'high',
      urgency: 'medium',
      mode: 'operation',
      workaround: 'moderate',
      ...inputs,
    },
  };
}

/** Memory deps at a fixed instant (ISO with offset), with an admin switch. */
export function memoryDeps(
  opts: { now?: string; settings?: Settings; admin?: boolean } = {},
): AppDeps & { jira: MemoryJira; store: MemoryStore; setNow: (iso: string) => void } {
  let now = parseInstant(opts.now ?? '2026-03-10T12:00:00+03:00');
  const jira = new MemoryJira(() => now);
  const store = new MemoryStore(opts.settings ?? settings());
  return {
    jira,
    store,
    clock: () => now,
    isAdmin: async () => opts.admin ?? false,
    setNow: (iso: string) => {
      now = parseInstant(iso);
    },
  };
}

/**
 * A stored SLA record: an open critical incident of project `key`'s prefix, registered Fri 2026-03-06
 * 16:30 MSK, due Tue 2026-03-10 16:30 and breached, its summary naming the key (so a test can look
 * for it in an answer); `over` changes any field.
 */
export function slaRow(key: string, over: Partial<SlaRecordRow> = {}): SlaRecordRow {
  return {
    key,
    project: key.split('-')[0]!,
    kind: 'incident',
    class: 'critical',
    priority: 5,
    registeredAt: '2026-03-06T16:30:00+03:00',
    due: '2026-03-10T16:30:00+03:00',
    doneAt: null,
    agreed: false,
    state: 'breached',
    verificationDue: null,
    estimateAt: null,
    summary: `Summary of ${key}`,
    verdictJson: '{}',
    updatedAt: '2026-03-10T12:00:00+03:00',
    ...over,
  };
}
