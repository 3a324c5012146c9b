/** The issue list's filters in the address and the listIssuePage request they make (issue #15). */
import { sectionOf } from '../../static/shared/shell-model';
import { filtersFromQuery, listRequest, NO_FILTERS, queryOfFilters } from '../../static/issues/model';

describe('issue list filters', () => {
  it('reads the filters from the address, dropping unknown values', () => {
    expect(
      filtersFromQuery(new URLSearchParams('state=at-risk&kind=error&class=high&project=sup&q=%20PDF%20')),
    ).toEqual({ state: 'at-risk', kind: 'error', class: 'high', project: 'SUP', q: 'PDF' });
    expect(filtersFromQuery(new URLSearchParams('state=late&kind=bug&class=urgent'))).toEqual(NO_FILTERS);
  });

  it('writes only the set filters into the address and keeps lang and tz', () => {
    expect(
      queryOfFilters(
        { ...NO_FILTERS, state: 'breached', q: 'SUP-1' },
        new URLSearchParams('lang=ru&kind=error'),
      ),
    ).toBe('?lang=ru&state=breached&q=SUP-1');
    expect(queryOfFilters(NO_FILTERS)).toBe('');
  });

  it('asks listIssuePage for the filters, a page of 25, the cursor and a count up to 10,000', () => {
    expect(listRequest(NO_FILTERS, null)).toEqual({ limit: 25, countUpTo: 10_000 });
    expect(
      listRequest(
        { state: 'incomplete', kind: 'incident', class: 'planned', project: 'OPS', q: 'vpn' },
        'abc',
      ),
    ).toEqual({
      limit: 25,
      countUpTo: 10_000,
      state: 'incomplete',
      kind: 'incident',
      class: 'planned',
      projects: ['OPS'],
      text: 'vpn',
      cursor: 'abc',
    });
  });
});

describe('the shell marks the section of each page', () => {
  it.each([
    ['/ui/gadget/', 'dashboard'],
    ['/ui/issues/', 'issues'],
    ['/ui/issue/', 'issues'],
    ['/ui/panel/', 'issues'],
    ['/ui/issue-actions/', 'issues'],
    ['/ui/reports/', 'reports'],
    ['/ui/admin/', 'admin'],
    ['/', null],
  ] as const)('%s → %s', (path, section) => expect(sectionOf(path)).toBe(section));
});
