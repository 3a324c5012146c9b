import { parseSlaRecord, parseSnapshot } from '../../src/contract/snapshot-schema';

const CONTRACT_EXAMPLE = {
  key: 'SUP-101',
  kind: 'incident',
  registeredAt: '2026-03-06T16:30:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  nature: 'failure',
  workaround: 'none',
  priorityOverride: { value: 4, reason: 'customer request' },
  linkedIncidents: [{ impact: 'high', urgency: 'medium', mode: 'operation' }],
  versions: [{ name: '5.2.1', releaseDate: '2026-03-20', released: false }],
  fixVersion: '5.2.1',
  agreedDeadline: '2026-05-01T18:00:00+03:00',
  estimateAt: '2026-03-04T12:00:00+03:00',
  reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'status' }],
  resolvedAt: null,
};

describe('parseSnapshot', () => {
  it('accepts the example of CONTRACT.md unchanged', () => {
    expect(parseSnapshot(CONTRACT_EXAMPLE)).toEqual({ ok: true, value: CONTRACT_EXAMPLE });
  });

  it('reads Russian labels (and English ones) as codes', () => {
    const r = parseSnapshot({
      key: 'SUP-2',
      kind: 'Ошибка',
      registeredAt: '2026-03-06T13:30:00Z',
      impact: 'Высокая',
      urgency: 'Medium',
      mode: 'Внедрение',
      workaround: 'вполне приемлемый',
      linkedIncidents: [{ impact: 'Средняя', mode: 'Эксплуатация' }],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        key: 'SUP-2',
        kind: 'error',
        registeredAt: '2026-03-06T13:30:00Z',
        impact: 'high',
        urgency: 'medium',
        mode: 'implementation',
        workaround: 'full',
        linkedIncidents: [{ impact: 'medium', mode: 'operation' }],
      },
    });
  });

  it('missing optional inputs are not errors; null and "" mean not set; unknown fields are dropped', () => {
    expect(
      parseSnapshot({
        key: 'SUP-3',
        kind: 'incident',
        registeredAt: '2026-03-06T16:30:00+03:00',
        impact: null,
        urgency: '',
        customfield_10020: 'x',
      }),
    ).toEqual({
      ok: true,
      value: { key: 'SUP-3', kind: 'incident', registeredAt: '2026-03-06T16:30:00+03:00' },
    });
  });

  it('an agreed deadline may be a date', () => {
    const r = parseSnapshot({ ...CONTRACT_EXAMPLE, agreedDeadline: '2026-05-01' });
    expect(r.ok && r.value.agreedDeadline).toBe('2026-05-01');
  });

  it('requires key, kind and registeredAt', () => {
    expect(parseSnapshot({})).toEqual({
      ok: false,
      errors: [
        { path: 'key', message: 'key is required' },
        { path: 'kind', message: 'kind is required' },
        { path: 'registeredAt', message: 'registeredAt is required' },
      ],
    });
  });

  it('lists every problem at once, with paths and readable messages', () => {
    const r = parseSnapshot({
      key: 'SUP-4',
      kind: 'incident',
      registeredAt: '2026-03-06T16:30',
      impact: 'huge',
      nature: 'Сбой',
      priorityOverride: { value: 7, reason: '' },
      linkedIncidents: 'none',
      versions: [
        { name: '5.2.1', releaseDate: '2026-02-30' },
        5,
        { releaseDate: '20.03.2026', released: 'no' },
      ],
      reactions: [{ at: '2026-03-10 10:00', type: 'phone', authorRole: 'customer' }],
      estimateAt: '2026-03-04',
      resolvedAt: 1772803800000,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      {
        path: 'registeredAt',
        message:
          'instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-06T16:30"',
      },
      { path: 'impact', message: '"huge" is not one of high, medium, low (or their Russian labels)' },
      { path: 'priorityOverride.reason', message: 'the override reason (source §4.6.2) is required' },
      { path: 'linkedIncidents', message: 'linkedIncidents must be a list, got "none"' },
      { path: 'versions[0].releaseDate', message: 'must be a calendar date YYYY-MM-DD, got "2026-02-30"' },
      { path: 'versions[1]', message: 'a version must be an object, got 5' },
      { path: 'versions[2].name', message: 'the version name is required' },
      { path: 'versions[2].releaseDate', message: 'must be a calendar date YYYY-MM-DD, got "20.03.2026"' },
      { path: 'versions[2].released', message: 'must be true or false, got "no"' },
      {
        path: 'estimateAt',
        message: 'instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-04"',
      },
      {
        path: 'reactions[0].at',
        message:
          'instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-10 10:00"',
      },
      { path: 'reactions[0].type', message: 'must be one of status, comment, assignee, got "phone"' },
      { path: 'reactions[0].authorRole', message: 'must be one of reporter, agent, other, got "customer"' },
      {
        path: 'resolvedAt',
        message: 'must be an ISO 8601 date-time with an offset, got 1772803800000',
      },
      { path: 'priorityOverride.value', message: 'an incident priority override must be from 1 to 5, got 7' },
    ]);
  });

  it('the override range follows the kind', () => {
    const error = { key: 'E', kind: 'error', registeredAt: '2026-03-02T10:00:00+03:00' };
    expect(parseSnapshot({ ...error, priorityOverride: { value: 7, reason: 'agreed' } }).ok).toBe(true);
    expect(parseSnapshot({ ...error, priorityOverride: { value: 11, reason: 'agreed' } })).toEqual({
      ok: false,
      errors: [
        {
          path: 'priorityOverride.value',
          message: 'an error priority override must be from 1 to 10, got 11',
        },
      ],
    });
    expect(parseSnapshot({ ...error, priorityOverride: { value: 2.5, reason: 'x' } })).toEqual({
      ok: false,
      errors: [{ path: 'priorityOverride.value', message: 'must be a whole number, got 2.5' }],
    });
    expect(parseSnapshot({ ...error, priorityOverride: null }).ok).toBe(true);
  });

  it('rejects what is not an object, and an unknown kind', () => {
    expect(parseSnapshot([1])).toEqual({
      ok: false,
      errors: [{ path: '', message: 'the snapshot must be an object, got [1]' }],
    });
    expect(parseSnapshot(null).ok).toBe(false);
    expect(parseSnapshot({ key: 'X', kind: 'task', registeredAt: '2026-03-02T10:00:00Z' })).toEqual({
      ok: false,
      errors: [{ path: 'kind', message: '"task" is not one of incident, error (or their Russian labels)' }],
    });
  });

  it('rejects impossible instants even with an offset', () => {
    const r = parseSnapshot({ key: 'X', kind: 'error', registeredAt: '2026-02-30T10:00:00+03:00' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('registeredAt');
  });
});

describe('parseSlaRecord', () => {
  it('accepts a record and fills the nulls', () => {
    expect(
      parseSlaRecord({ key: 'E-1', kind: 'error', class: 'Высокий', due: '2026-03-24T18:00:00+03:00' }),
    ).toEqual({
      ok: true,
      value: { key: 'E-1', kind: 'error', class: 'high', due: '2026-03-24T18:00:00+03:00', doneAt: null },
    });
  });
  it('lists every problem', () => {
    expect(parseSlaRecord({ kind: 'error', class: 'urgent', due: '2026-03-24', agreed: 'yes' })).toEqual({
      ok: false,
      errors: [
        { path: 'key', message: 'key is required' },
        {
          path: 'class',
          message: '"urgent" is not one of critical, high, medium, low, planned (or their Russian labels)',
        },
        {
          path: 'due',
          message:
            'instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-24"',
        },
        { path: 'agreed', message: 'must be true or false, got "yes"' },
      ],
    });
  });
});
