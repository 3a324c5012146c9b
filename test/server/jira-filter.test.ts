/**
 * Jira DC/Server saved filters for the compliance gadget: `GET /rest/api/2/filter/{id}` with the
 * service's account; its `jql`, or null when Jira says there is no such filter (400 or 404).
 */
import { createJiraHttpPort } from '../../src/adapters/jira-http';

function portAnswering(answers: Record<string, { status: number; body?: unknown }>) {
  const urls: string[] = [];
  const fetchStub = (async (url: string) => {
    urls.push(url);
    const path = new URL(url).pathname;
    const a = answers[path] ?? { status: 404, body: { errorMessages: ['nope'] } };
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), {
      status: a.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  const port = createJiraHttpPort({
    baseUrl: 'http://jira.test',
    auth: { kind: 'bearer', token: 't' },
    timeoutMs: 1000,
    retries: 0,
    fetch: fetchStub,
  });
  return { port, urls };
}

describe('jira-http filterJql', () => {
  it('returns the filter JQL; 400, 404 and non-numeric ids are null', async () => {
    const { port, urls } = portAnswering({
      '/rest/api/2/filter/10200': { status: 200, body: { id: '10200', name: 'VIP', jql: 'project = SUP' } },
      '/rest/api/2/filter/10201': { status: 400, body: { errorMessages: ['not visible'] } },
      '/rest/api/2/filter/10203': { status: 500, body: { errorMessages: ['boom'] } },
    });
    expect(await port.filterJql!('10200')).toBe('project = SUP');
    expect(await port.filterJql!('10201')).toBeNull();
    expect(await port.filterJql!('10202')).toBeNull();
    expect(await port.filterJql!('../issue/SUP-1')).toBeNull();
    expect(urls).toEqual([
      'http://jira.test/rest/api/2/filter/10200',
      'http://jira.test/rest/api/2/filter/10201',
      'http://jira.test/rest/api/2/filter/10202',
    ]);
    // Any other failure is not "no such filter".
    await expect(port.filterJql!('10203')).rejects.toThrow(/answered 500/);
  });
});
