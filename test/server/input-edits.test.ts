/**
 * Issue #15: the issue page's "agree a deadline" and "override priority with a reason" in the
 * service (demo ticket system): written to the fields with the change in its history, then
 * re-evaluated — an agreed date replaces the fix deadline (SPEC §5.6: closing that working day), an
 * override sets the priority and its class (SPEC §4). Agents only; bad input named.
 */
import * as fs from 'node:fs';
import { showcaseKeys } from '../../src/server/demo/seed';
import { ADMIN_JSON, service, tempDir, type TestService } from './helpers';

const NOW = Date.parse('2026-03-10T12:00:00+03:00');

describe('agree a deadline, override a priority (issue page actions)', () => {
  let dir: string;
  let svc: TestService;
  beforeAll(async () => {
    dir = tempDir();
    svc = await service(dir, { demo: 'on' }, { now: () => NOW });
  }, 60_000);
  afterAll(async () => {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const post = (name: string, body: unknown, headers: Record<string, string> = ADMIN_JSON) =>
    svc.inject({ method: 'POST', url: `/api/${name}`, payload: JSON.stringify(body), headers });

  it("an agreed date replaces an error's fix deadline: rule agreed, due at the close of 30 April (a pre-holiday short day: 17:00 Moscow), kept in the history", async () => {
    const key = showcaseKeys()['error:running']!;
    const res = await post('agreeDeadline', { key, deadline: '2026-04-30' });
    expect(res.statusCode).toBe(200);
    const { verdict } = res.json() as { verdict: { fix: { rule: string; agreed: boolean; due: string } } };
    expect(verdict.fix).toMatchObject({ rule: 'agreed', agreed: true, due: '2026-04-30T17:00:00+03:00' });
    const ticket = await svc.localDeps.jira.readTicket(key, await svc.store.getSettings());
    expect(ticket!.snapshot.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'agreedDeadline',
          to: '2026-04-30',
          at: '2026-03-10T12:00:00+03:00',
        }),
      ]),
    );
    // removed again: the class's own rule governs
    const back = await post('agreeDeadline', { key, deadline: null });
    expect(back.json().verdict.fix.rule).not.toBe('agreed');
  });

  it("an override sets the priority and its class with the reason (an incident's 5: critical); null restores the computed one", async () => {
    const key = showcaseKeys()['incident:running']!;
    const before = (await svc.store.getSlaRecord(key))!;
    const res = await post('overridePriority', {
      key,
      value: 5,
      reason: 'Отгрузка стоит · shipping stopped',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().verdict.priority).toMatchObject({
      value: 5,
      class: 'critical',
      overridden: true,
      reason: 'Отгрузка стоит · shipping stopped',
    });
    expect((await svc.store.getSlaRecord(key))!).toMatchObject({ priority: 5, class: 'critical' });
    const restored = await post('overridePriority', { key, value: null });
    expect(restored.json().verdict.priority).toMatchObject({ value: before.priority, overridden: false });
  });

  it('refuses bad input naming the field and the value, an incident an agreed deadline, and anonymous callers', async () => {
    const error = showcaseKeys()['error:running']!;
    const incident = showcaseKeys()['incident:running']!;
    const bad = async (name: string, body: unknown) => {
      const r = await post(name, body);
      expect(r.statusCode).toBe(400);
      return (r.json() as { message: string }).message;
    };
    expect(await bad('agreeDeadline', { key: error, deadline: '30.04.2026' })).toMatch(
      /deadline must be a date YYYY-MM-DD .*got "30.04.2026"/,
    );
    expect(await bad('overridePriority', { key: error, value: 11, reason: 'x' })).toMatch(
      /value must be an integer 1..10 .*got 11/,
    );
    expect(await bad('overridePriority', { key: error, value: 7 })).toMatch(/needs a reason/);
    expect(await bad('overridePriority', { key: incident, value: 9, reason: 'x' })).toMatch(
      /1..5 for an incident \(SPEC §4\), got 9/,
    );
    expect(await bad('agreeDeadline', { key: incident, deadline: '2026-04-30' })).toMatch(/is an incident/);
    const anonymous = await post(
      'agreeDeadline',
      { key: error, deadline: '2026-04-30' },
      {
        'content-type': 'application/json',
      },
    );
    expect([401, 403]).toContain(anonymous.statusCode);
  });
});
