/**
 * Notifications from the customer-communication use cases (issue #16, §5.2 and §2.7) against the
 * in-memory ports and an in-memory outbox: the error's key to the request's customer contact, the fix
 * of a linked error to each incident's contact once per version, and a too-short visit notice.
 */
import { MemoryJira, MemoryLog, MemoryStore } from '../../src/adapters/memory';
import { checkVisit, notifyFixed, registerErrorFromIncident } from '../../src/app/escalation';
import type { NotifyOutbox } from '../../src/app/notify';
import type { Settings } from '../../src/app/ports';
import { parseInstant } from '../../src/domain/calendar';
import type { Outgoing } from '../../src/domain/notify';
import { errorIssue, incidentIssue, settings } from '../support/builders';

class MemoryOutbox implements NotifyOutbox {
  readonly items = new Map<string, { message: Outgoing; notBeforeMs: number }>();
  async enqueue(items: { message: Outgoing; notBeforeMs: number }[]): Promise<number> {
    let n = 0;
    for (const i of items)
      if (!this.items.has(i.message.id)) {
        this.items.set(i.message.id, i);
        n += 1;
      }
    return n;
  }
}

const NOTIFY: Settings['notifications'] = {
  channels: [
    { id: 'mail', kind: 'email', host: 'smtp', port: 25, secure: false, from: 'sla@vendor.example' },
  ],
  rules: [
    {
      id: 'customer',
      projects: [],
      on: ['error-registered', 'error-fixed', 'visit-notice'],
      channel: 'mail',
      roles: ['customer-contact'],
      addresses: [],
      language: 'ru',
      quietHours: false,
      digest: false,
    },
  ],
};

function deps(now = '2026-03-20T19:00:00+03:00') {
  const at = parseInstant(now);
  return {
    jira: new MemoryJira(() => at),
    store: new MemoryStore(settings({ notifications: NOTIFY })),
    clock: () => at,
    log: new MemoryLog(),
    outbox: new MemoryOutbox(),
  };
}

const contact = (email: string) => ({ contacts: { customerContact: { name: 'ООО Ромашка', email } } });

describe('notifications of customer communication', () => {
  it('the key of an error registered from a request goes to the customer contact, once', async () => {
    const d = deps('2026-03-10T12:00:00+03:00');
    const incident = d.jira.add(incidentIssue({ inputs: contact('it@romashka.example') }));
    const r = await registerErrorFromIncident(d, incident.key);
    const msgs = [...d.outbox.items.values()].map((i) => i.message);
    expect(msgs.map((m) => [m.id, m.to])).toEqual([
      [`${incident.key}|registered:${r.errorKey}|customer`, ['it@romashka.example']],
    ]);
    expect(msgs[0]!.subject).toBe(`[${incident.key}] Зарегистрирована ошибка`);
    expect(msgs[0]!.text).toMatch(
      new RegExp(`^По вашему обращению ${incident.key} зарегистрирована ошибка ${r.errorKey}\\.`),
    );
  });

  it('the fix of a linked error goes to each incident contact once per version', async () => {
    const d = deps();
    d.jira.versions.set('SUP', [{ name: '6.0.1', releaseDate: '2026-03-20', released: true }]);
    const bug = d.jira.add(errorIssue({ fixVersions: ['6.0.1'] }));
    bug.inputs.resolvedAt = '2026-03-12T10:00:00+03:00';
    bug.statusCategory = 'done';
    const a = d.jira.add(incidentIssue({ inputs: contact('a@customer.example') }));
    const b = d.jira.add(incidentIssue({ inputs: contact('b@customer.example') }));
    d.jira.links.push(
      { type: 'Relates', from: bug.key, to: a.key },
      { type: 'Relates', from: bug.key, to: b.key },
    );
    await notifyFixed(d, bug.key);
    await notifyFixed(d, bug.key); // a second version event: nothing more
    const msgs = [...d.outbox.items.values()].map((i) => i.message);
    expect(msgs.map((m) => m.to[0])).toEqual(['a@customer.example', 'b@customer.example']);
    expect(msgs[0]!.text).toContain(
      `Ошибка ${bug.key}, связанная с вашим обращением ${a.key}, исправлена в обновлении (патче) 6.0.1 (выпуск 20 марта 2026).`,
    );
    expect(msgs[0]!.event).toMatchObject({ type: 'error-fixed', errorKey: bug.key, version: '6.0.1' });
  });

  it('a visit requested with too short a notice is told to the customer contact (§2.7)', async () => {
    const d = deps();
    const issue = d.jira.add(incidentIssue({ inputs: contact('it@romashka.example') }));
    const r = await checkVisit(d, {
      key: issue.key,
      visitDate: '2026-05-08',
      requestedAt: '2026-04-30T15:00:00+03:00',
    });
    expect(r.ok).toBe(false);
    const msgs = [...d.outbox.items.values()].map((i) => i.message);
    expect(msgs.map((m) => [m.id, m.subject])).toEqual([
      [`${issue.key}|visit:2026-05-08|customer`, `[${issue.key}] Выезд запрошен слишком поздно`],
    ]);
    expect(msgs[0]!.text).toMatch(/^Выезд специалиста на 8 мая 2026 запрошен за /);
  });
});
