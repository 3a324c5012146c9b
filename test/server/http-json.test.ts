/**
 * The JSON client the Yandex Tracker, Zammad and GLPI adapters share (issue #18): bounded retries
 * of 429 / 5xx / network failures honouring Retry-After, no retry of other answers, and errors that
 * name the system, method, path and the system's message — never the credentials.
 */
import { HttpJsonClient, SourceHttpError } from '../../src/adapters/http-json';

function scripted(answers: (() => Response)[]) {
  const urls: string[] = [];
  let i = 0;
  const f = (async (url: string | URL) => {
    urls.push(String(url));
    const next = answers[Math.min(i, answers.length - 1)]!;
    i += 1;
    return next();
  }) as typeof fetch;
  return { f, urls };
}

describe('HttpJsonClient', () => {
  it('retries 429 after Retry-After and 503 with backoff, then answers', async () => {
    const waits: number[] = [];
    const { f, urls } = scripted([
      () => new Response('{}', { status: 429, headers: { 'retry-after': '2' } }),
      () => new Response('busy', { status: 503 }),
      () => new Response(JSON.stringify({ ok: 1 }), { status: 200 }),
    ]);
    const c = new HttpJsonClient({
      system: 'Zammad',
      baseUrl: 'https://z.example.com/',
      retries: 3,
      fetch: f,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    });
    const r = await c.send<{ ok: number }>('GET', '/api/v1/tickets/1', {
      Authorization: 'Token token=secret',
    });
    expect(r.body).toEqual({ ok: 1 });
    expect(waits).toEqual([2000, 750]); // Retry-After 2 s; then 1000 ms backoff: half fixed + half × 0.5
    expect(urls).toEqual(Array(3).fill('https://z.example.com/api/v1/tickets/1'));
    expect(c.requests).toBe(3);
  });

  it('gives up after the retries with a transient error; a 422 is not retried', async () => {
    const { f } = scripted([() => new Response('down', { status: 502 })]);
    const c = new HttpJsonClient({
      system: 'GLPI',
      baseUrl: 'https://g',
      retries: 1,
      fetch: f,
      sleep: async () => {},
    });
    const e1 = await c.send('GET', '/Ticket/1?x=1', {}).catch((e: unknown) => e as SourceHttpError);
    expect(e1).toMatchObject({
      status: 502,
      transient: true,
      message: 'GLPI GET /Ticket/1 answered 502: down',
    });
    expect(c.requests).toBe(2);
    const { f: f2 } = scripted([
      () => new Response(JSON.stringify(['ERROR_GLPI_UPDATE', 'time_to_own is invalid']), { status: 422 }),
    ]);
    const c2 = new HttpJsonClient({
      system: 'GLPI',
      baseUrl: 'https://g',
      retries: 3,
      fetch: f2,
      sleep: async () => {},
    });
    const e2 = await c2.send('PUT', '/Ticket/1', { 'Session-Token': 'secret-session' }, { input: {} }).then(
      () => {
        throw new Error('no error');
      },
      (e: unknown) => e as SourceHttpError,
    );
    expect(e2).toMatchObject({ status: 422, transient: false });
    expect(e2.message).toBe('GLPI PUT /Ticket/1 answered 422: ERROR_GLPI_UPDATE: time_to_own is invalid');
    expect(e2.message).not.toContain('secret');
    expect(c2.requests).toBe(1);
  });
});
