/** listIssuePage (issue #14): a bad filter names its field and value; pages from memory follow the keyset. */
import { createApi } from '../../src/app/api';
import { memoryDeps } from '../support/builders';
import { generateRows } from '../support/record-gen';

describe('listIssuePage', () => {
  it.each([
    [{ state: 'late' }, 'state must be one of breached, at-risk, running, met, incomplete, got "late"'],
    [{ kind: 'bug' }, 'kind must be one of incident, error, got "bug"'],
    [{ class: 'urgent' }, 'class must be one of critical, high, medium, low, planned, got "urgent"'],
    [{ limit: 'ten' }, 'limit must be a number 1–500, got "ten"'],
    [{ projects: 'SUP' }, 'projects must be a list of project keys, got "SUP"'],
    [{ cursor: 'nonsense' }, 'cursor must be the nextCursor of a page, got "nonsense"'],
    [{ countUpTo: 0 }, 'countUpTo must be a whole number 1–1000000, got 0'],
    [{ countUpTo: 2.5 }, 'countUpTo must be a whole number 1–1000000, got 2.5'],
  ])('%j is refused: %s', async (req, message) => {
    const api = createApi(memoryDeps());
    await expect(api.listIssuePage(req as never)).rejects.toMatchObject({ code: 'invalid-request', message });
  });

  it('pages the open issues by deadline then key, undated last, each once, with the total', async () => {
    const deps = memoryDeps();
    const rows = generateRows(300, 8);
    for (const r of rows) await deps.store.upsertSlaRecord(r);
    const api = createApi(deps);
    const open = rows.filter((r) => r.doneAt === null);
    const keys: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await api.listIssuePage({ limit: 25, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(open.length);
      keys.push(...page.items.map((i) => i.key));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const want = [...open]
      .sort(
        (a, b) =>
          (a.due === null ? 1 : 0) - (b.due === null ? 1 : 0) ||
          (a.due && b.due ? Date.parse(a.due) - Date.parse(b.due) : 0) ||
          (a.key < b.key ? -1 : 1),
      )
      .map((r) => r.key);
    expect(keys).toEqual(want);
    expect((await api.listIssues({ limit: 10 })).map((i) => i.key)).toEqual(want.slice(0, 10));
    // Counted up to a cap (the issue list's page): the cap and "more" above it, the same page.
    const capped = await api.listIssuePage({ limit: 25, countUpTo: open.length - 1 });
    expect(capped).toMatchObject({ total: open.length - 1, totalAtLeast: true });
    expect(capped.items.map((i) => i.key)).toEqual(want.slice(0, 25));
    expect(await api.listIssuePage({ limit: 25, countUpTo: open.length })).not.toHaveProperty('totalAtLeast');
  });
});
