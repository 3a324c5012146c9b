/** Issue #18: the generic source's JSONata mapping — results, errors naming the field, guardrails. */
import { SourcePayloadError } from '../../src/app/source';
import { createGenericSource, evaluateMapping, prefixed } from '../../src/server/generic-source';

const NOW = Date.parse('2026-03-10T09:00:00Z');

async function payloadError(p: Promise<unknown>): Promise<SourcePayloadError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SourcePayloadError) return e;
    throw e;
  }
  throw new Error('expected a SourcePayloadError');
}

describe('evaluateMapping', () => {
  it('maps a body to a plain object; $now() is the service clock', async () => {
    const out = await evaluateMapping(
      '{ "key": "Z-" & $string(id), "updatedAt": $now(), "tags": tags }',
      { id: 7, tags: ['a'] },
      NOW,
    );
    expect(out).toEqual({ key: 'Z-7', updatedAt: '2026-03-10T09:00:00.000Z', tags: ['a'] });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('names the mapping and the position of a syntax error', async () => {
    const e = await payloadError(evaluateMapping('{ "key": ', {}, NOW));
    expect(e.field).toBe('mapping');
    expect(e.message).toMatch(/^the mapping is not a valid JSONata expression: .* \(at character \d+\)$/);
  });

  it('refuses a result that is not one object, saying what it was', async () => {
    expect((await payloadError(evaluateMapping('id', { id: 7 }, NOW))).message).toBe(
      'the mapping must produce one snapshot object, got 7',
    );
    expect((await payloadError(evaluateMapping('missing', {}, NOW))).message).toBe(
      'the mapping must produce one snapshot object, got nothing',
    );
    expect((await payloadError(evaluateMapping('[1,2]', {}, NOW))).value).toEqual([1, 2]);
  });

  it('stops a runaway expression (jsonata guardrails) instead of hanging the worker', async () => {
    const e = await payloadError(evaluateMapping('($f := function($x){ $f($x + 1) }; $f(1))', {}, NOW));
    expect(e.message).toMatch(/^the mapping failed on this payload: /);
  });

  it('a failing function call names the mapping', async () => {
    const e = await payloadError(evaluateMapping('{ "key": $substring(5) }', {}, NOW));
    expect(e.field).toBe('mapping');
    expect(e.message).toContain('the mapping failed on this payload');
  });
});

describe('createGenericSource', () => {
  const base = { name: 'g', kind: 'generic' as const, auth: { scheme: 'none' as const } };

  it('puts the key prefix before the mapped key once, and owns its prefixed keys', async () => {
    const src = createGenericSource(
      { ...base, keyPrefix: 'GL-', mapping: '{ "key": $string(iid) }' },
      { now: () => NOW },
    );
    expect(await src.mapSnapshot!({ iid: 3 })).toEqual({ key: 'GL-3' });
    expect(prefixed('GL-', 'GL-3')).toBe('GL-3');
    expect(src.owns('GL-3')).toBe(true);
    expect(src.owns('SUP-3')).toBe(false);
  });

  it('without a mapping the body (or its "snapshot") is the snapshot', async () => {
    const src = createGenericSource(base, { now: () => NOW });
    expect(await src.mapSnapshot!({ snapshot: { key: 'A-1' } })).toEqual({ key: 'A-1' });
    expect(await src.mapSnapshot!({ key: 'A-2' })).toEqual({ key: 'A-2' });
  });

  it('links a ticket by the ticketUrl option', () => {
    const src = createGenericSource(
      { ...base, keyPrefix: 'GL-', options: { ticketUrl: 'https://gitlab.example.com/g/p/-/issues/{key}' } },
      { now: () => NOW },
    );
    expect(src.ticketUrl!('GL-12')).toBe('https://gitlab.example.com/g/p/-/issues/12');
  });
});
