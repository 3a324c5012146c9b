import { PassThrough } from 'node:stream';
import { processLine, runBatch } from '../../src/cli/batch';

describe('reglament batch', () => {
  it('answers the two example lines of issue 2 and reports a bad line', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const done = runBatch(input, output);
    input.end(
      [
        '{"op":"incident-priority","impact":"high","urgency":"high","mode":"operation","nature":"failure"}',
        '{"op":"error-priority","impact":"high","urgency":"medium","mode":"operation","workaround":"moderate"}',
        'not json',
      ].join('\n') + '\n',
    );
    await done;
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 5, name: 'critical', reactionHours: 8 });
    expect(lines[1]).toMatchObject({ score: 5, class: 'medium' });
    expect(lines[2]).toMatchObject({ id: null, error: { code: 'invalid-json' } });
  });

  it('echoes ids, accepts Russian labels, and names the bad field', () => {
    expect(
      processLine(
        '{"op":"incident-priority","id":"a1","impact":"Средняя","urgency":"Высокая","mode":"Внедрение","nature":"Вопрос"}',
      ),
    ).toMatchObject({ id: 'a1', level: 1, name: 'planned', reactionHours: 80 });
    expect(
      processLine(
        '{"op":"incident-priority","id":2,"impact":"huge","urgency":"high","mode":"operation","nature":"failure"}',
      ),
    ).toEqual({
      id: 2,
      error: {
        code: 'invalid-field',
        message:
          '"impact" has an invalid value "huge": expected one of high, medium, low (or its Russian label)',
      },
    });
    expect(
      processLine('{"op":"error-priority","id":3,"impact":"high","urgency":"high","mode":"operation"}'),
    ).toMatchObject({
      id: 3,
      error: { code: 'missing-field', message: expect.stringContaining('"workaround" is required') },
    });
    expect(processLine('{"op":"nope","id":4}')).toMatchObject({ id: 4, error: { code: 'unknown-op' } });
    expect(processLine('[1,2]')).toMatchObject({ error: { code: 'invalid-line' } });
  });

  it('applies an override with a reason and rejects one without', () => {
    expect(
      processLine(
        '{"op":"incident-priority","impact":"low","urgency":"low","mode":"operation","nature":"failure","override":{"value":4,"reason":"customer"}}',
      ),
    ).toMatchObject({ level: 4, computed: 1, overridden: true, reactionHours: 16 });
    expect(
      processLine(
        '{"op":"incident-priority","impact":"low","urgency":"low","mode":"operation","nature":"failure","override":{"value":4}}',
      ),
    ).toMatchObject({ error: { code: 'invalid-field' } });
  });

  it('streams 100,000 lines in order', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let count = 0;
    let lastId = -1;
    let tail = '';
    let ordered = true;
    output.on('data', (d: Buffer) => {
      const parts = (tail + d.toString()).split('\n');
      tail = parts.pop() ?? '';
      for (const p of parts) {
        const id = (JSON.parse(p) as { id: number }).id;
        if (id !== lastId + 1) ordered = false;
        lastId = id;
        count++;
      }
    });
    const done = runBatch(input, output);
    const urg = ['high', 'medium', 'low'];
    for (let i = 0; i < 100_000; i++) {
      input.write(
        `{"op":"error-priority","id":${i},"impact":"high","urgency":"${urg[i % 3]}","mode":"operation","workaround":"none"}\n`,
      );
    }
    input.end();
    await done;
    expect(count).toBe(100_000);
    expect(ordered).toBe(true);
  });
});
