/** The Jira client's bounded retries (src/adapters/jira-forge/client.ts), with an injected sleep. */
import { route } from '@forge/api';
import {
  JiraClient,
  JiraError,
  RetryableError,
  retryAfterMs,
  type TransportResponse,
} from '../../src/adapters/jira-forge';

const res = (status: number, body = '', headers: Record<string, string> = {}): TransportResponse => ({
  status,
  headers: { get: (n: string) => headers[n.toLowerCase()] ?? null },
  text: async () => body,
});

function client(responses: TransportResponse[]) {
  const sleeps: number[] = [];
  const c = new JiraClient({
    transport: async () => responses.shift() ?? res(200, '{}'),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { c, sleeps };
}

const call = (c: JiraClient) => c.call('GET', '/rest/api/3/field', route`/rest/api/3/field`);

describe('JiraClient', () => {
  it('waits Retry-After (plus jitter) and then succeeds', async () => {
    const { c, sleeps } = client([res(429, '', { 'retry-after': '2' }), res(200, '[1]')]);
    expect(await call(c)).toEqual({ status: 200, data: [1] });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(sleeps[0]).toBeLessThanOrEqual(2000 + 1000);
    expect(c.calls.get('GET /rest/api/3/field')).toBe(2);
  });

  it('backs off 1 s, 2 s, 4 s on 5xx and gives up after 4 attempts with a RetryableError', async () => {
    const { c, sleeps } = client([res(503), res(502), res(500), res(503)]);
    await expect(call(c)).rejects.toBeInstanceOf(RetryableError);
    expect(c.calls.get('GET /rest/api/3/field')).toBe(4);
    expect(sleeps.map((s) => Math.floor(s / 1000))).toEqual([1, 2, 4]);
  });

  it('leaves a long Retry-After to the queue instead of waiting inside the invocation', async () => {
    const { c, sleeps } = client([res(429, '', { 'retry-after': '120' })]);
    const e = await call(c).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableError);
    expect((e as RetryableError).retryAfterSeconds).toBeGreaterThanOrEqual(120);
    expect(sleeps).toEqual([]);
  });

  it('does not retry a 400 and returns 404 as data null', async () => {
    const { c } = client([res(400, '{"errorMessages":["bad"]}'), res(404)]);
    await expect(call(c)).rejects.toBeInstanceOf(JiraError);
    expect(await call(c)).toEqual({ status: 404, data: null });
    expect(c.totalCalls).toBe(2);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 0)).toBe(5000);
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});
