/** The `evaluate` and `compliance` ops of `reglament batch` (src/cli/ops/evaluate-ops.ts). */
import { processLine } from '../../src/cli/batch';

const line = (o: Record<string, unknown>): Record<string, unknown> => processLine(JSON.stringify(o));

const SNAPSHOT = {
  key: 'SUP-101',
  kind: 'Инцидент',
  registeredAt: '2026-03-06T16:30:00+03:00',
  impact: 'Высокая',
  urgency: 'Высокая',
  mode: 'Эксплуатация',
  nature: 'Сбой',
  reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'status' }],
};

describe('op evaluate', () => {
  it('SPEC §8 example 1 from Russian labels, with the SLA record', () => {
    expect(
      line({ op: 'evaluate', id: 1, now: '2026-03-12T12:00:00+03:00', snapshot: SNAPSHOT }),
    ).toMatchObject({
      id: 1,
      key: 'SUP-101',
      complete: true,
      priority: { value: 5, class: 'critical' },
      reaction: { due: '2026-03-10T16:30:00+03:00', state: 'met', at: '2026-03-10T10:00:00+03:00' },
      record: { key: 'SUP-101', kind: 'incident', class: 'critical', due: '2026-03-10T16:30:00+03:00' },
    });
  });

  it('takes a calendar: round the clock, 8 h from Fri 16:30 is Sat 00:30', () => {
    expect(
      line({
        op: 'evaluate',
        now: '2026-03-06T17:00:00+03:00',
        calendar: { allDay: true },
        snapshot: SNAPSHOT,
      }),
    ).toMatchObject({ reaction: { due: '2026-03-07T00:30:00+03:00', state: 'running' } });
  });

  it('takes a preset: as printed, rows are the usage mode', () => {
    const r = line({
      op: 'evaluate',
      now: '2026-03-06T17:00:00+03:00',
      preset: 'as-printed',
      snapshot: { ...SNAPSHOT, urgency: 'low', impact: 'medium' },
    });
    // modeMatrix.operation.medium = 4 → 16 h → Wed 11 Mar 16:30 (the default policy would give 2).
    expect(r).toMatchObject({ priority: { value: 4 }, reaction: { due: '2026-03-11T16:30:00+03:00' } });
  });

  it('a bad snapshot lists every problem in one message', () => {
    expect(
      line({
        op: 'evaluate',
        id: 'x',
        now: '2026-03-12T12:00:00+03:00',
        snapshot: { kind: 'incident', registeredAt: '2026-03-06 16:30', impact: 'huge' },
      }),
    ).toEqual({
      id: 'x',
      error: {
        code: 'invalid-snapshot',
        message:
          'the snapshot has 3 problem(s): key: key is required; registeredAt: instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-06 16:30"; impact: "huge" is not one of high, medium, low (or their Russian labels)',
        details: [
          { path: 'key', message: 'key is required' },
          {
            path: 'registeredAt',
            message:
              'instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-06 16:30"',
          },
          { path: 'impact', message: '"huge" is not one of high, medium, low (or their Russian labels)' },
        ],
      },
    });
  });

  it('needs `now`, a valid calendar, and instants inside the compiled years', () => {
    expect(line({ op: 'evaluate', snapshot: SNAPSHOT })).toMatchObject({ error: { code: 'missing-field' } });
    expect(line({ op: 'evaluate', now: '2026-03-12', snapshot: SNAPSHOT })).toMatchObject({
      error: { code: 'invalid-field' },
    });
    expect(
      line({
        op: 'evaluate',
        now: '2026-03-12T12:00:00+03:00',
        calendar: { zone: 'Mars/Olympus' },
        snapshot: SNAPSHOT,
      }),
    ).toMatchObject({ error: { code: 'invalid-calendar', message: expect.stringContaining('zone') } });
    expect(
      line({
        op: 'evaluate',
        now: '2040-03-12T12:00:00+03:00',
        snapshot: { ...SNAPSHOT, registeredAt: '2040-03-06T16:30:00+03:00', reactions: [] },
      }),
    ).toMatchObject({ error: { code: 'out-of-range' } });
  });
});

describe('op compliance', () => {
  const records = [
    {
      key: 'E1',
      kind: 'error',
      class: 'critical',
      due: '2026-03-17T18:00:00+03:00',
      doneAt: '2026-03-16T12:00:00+03:00',
    },
    { key: 'E2', kind: 'error', class: 'high', due: '2026-03-24T18:00:00+03:00', doneAt: null },
    {
      key: 'I1',
      kind: 'incident',
      class: 'critical',
      due: '2026-03-10T16:30:00+03:00',
      doneAt: '2026-03-10T10:00:00+03:00',
    },
  ];

  it('errors and incidents for a period of dates', () => {
    const r = line({
      op: 'compliance',
      records,
      from: '2026-03-01',
      to: '2026-03-31',
      now: '2026-04-01T12:00:00+03:00',
    });
    expect(r).toMatchObject({
      errors: {
        kind: 'error',
        target: 0.8,
        overall: { counted: 2, onTime: 1, late: 1, share: 0.5, budget: 0 },
      },
      incidents: { kind: 'incident', overall: { counted: 1, onTime: 1, late: 0, share: 1 } },
    });
  });

  it('one kind only, and the target of the policy', () => {
    const policyTarget = line({
      op: 'compliance',
      kind: 'Ошибка',
      records,
      from: '2026-03-01',
      to: '2026-03-31',
      now: '2026-03-20T12:00:00+03:00',
    });
    expect(Object.keys(policyTarget)).toEqual(['errors']);
    expect(policyTarget).toMatchObject({ errors: { overall: { counted: 1, onTime: 1, budget: 0 } } });
  });

  it('names every bad record', () => {
    expect(
      line({
        op: 'compliance',
        records: [records[0], { key: 'E9', kind: 'error', class: 'x', due: null, doneAt: null }, 7],
        from: '2026-03-01',
        to: '2026-03-31',
      }),
    ).toMatchObject({
      error: {
        code: 'invalid-records',
        message:
          '2 problem(s) in the records: records[1].class: "x" is not one of critical, high, medium, low, planned (or their Russian labels); records[2]: the record must be an object, got 7',
      },
    });
  });
});

describe('op evaluate with a history (the ledger, issue #11)', () => {
  const incident = {
    key: 'SUP-101',
    kind: 'incident',
    registeredAt: '2026-03-06T16:30:00+03:00',
    impact: 'high',
    urgency: 'low',
    mode: 'operation',
    nature: 'failure',
    reactions: [{ at: '2026-03-11T10:00:00+03:00', type: 'comment' }],
  };

  it('a reaction after the 8-hour deadline stays breached though the urgency was lowered later', () => {
    const out = line({
      op: 'evaluate',
      now: '2026-03-11T11:00:00+03:00',
      snapshot: incident,
      history: [{ field: 'urgency', from: 'high', to: 'low', at: '2026-03-11T09:30:00+03:00', by: 'alice' }],
    });
    expect(out).toMatchObject({
      reaction: { state: 'breached', at: '2026-03-11T10:00:00+03:00' },
      breaches: [{ clock: 'reaction', at: '2026-03-10T16:30:00+03:00', priority: 5, class: 'critical' }],
      record: { due: '2026-03-10T16:30:00+03:00', breached: true },
    });
    const types = (out.ledger as { type: string }[]).map((f) => f.type);
    expect(types).toEqual([
      'registered',
      'priority',
      'deadline',
      'breached',
      'inputs-changed',
      'priority',
      'deadline',
      'stopped',
    ]);
    // The record, fed to the compliance op, counts late.
    const c = line({
      op: 'compliance',
      from: '2026-03-01',
      to: '2026-03-31',
      now: '2026-03-31T12:00:00+03:00',
      kind: 'incident',
      records: [out.record],
    });
    expect(c).toMatchObject({ incidents: { overall: { counted: 1, onTime: 0, late: 1 } } });
  });

  it('the same change before the deadline moves it: met', () => {
    const out = line({
      op: 'evaluate',
      now: '2026-03-11T11:00:00+03:00',
      snapshot: incident,
      history: [{ field: 'urgency', from: 'high', to: 'low', at: '2026-03-10T10:00:00+03:00' }],
    });
    expect(out).toMatchObject({
      reaction: { state: 'met' },
      breaches: [],
      record: { due: '2026-03-12T16:30:00+03:00' },
    });
  });

  it('refuses a bad history entry, naming the field and value', () => {
    const out = line({
      op: 'evaluate',
      now: '2026-03-11T11:00:00+03:00',
      snapshot: incident,
      history: [{ field: 'urgency', from: 'high', to: 'huge', at: '2026-03-10T10:00:00+03:00' }],
    });
    expect(out).toMatchObject({ error: { code: 'invalid-field' } });
    expect(JSON.stringify(out)).toContain('history[0].to: \\"huge\\" is not one of');
  });
});
