import { PassThrough } from 'node:stream';
import { calendarCompileCount } from '../../src/app/calendars';
import { processLine, runBatch, type BatchLimits } from '../../src/cli/batch';

/** Runs a batch over `chunks` (written in order) and returns the parsed output lines. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- output lines of every shape
async function batch(chunks: (string | Buffer)[], limits?: BatchLimits): Promise<any[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString()));
  const done = limits ? runBatch(input, output, limits) : runBatch(input, output);
  for (const c of chunks) {
    if (!input.write(c)) await new Promise((r) => input.once('drain', r));
  }
  input.end();
  await done;
  return text === ''
    ? []
    : text
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => JSON.parse(l));
}

const ERROR_LINE = (id: number) =>
  `{"op":"error-priority","id":${id},"impact":"high","urgency":"medium","mode":"operation","workaround":"moderate"}`;

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

  // 19 s at load 11 on 2 cores; the timeout is no speed check (#14).
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
  }, 90_000);

  // Issue #13, item 4.
  it('answers a line whose id nests 5,000 deep with an error and goes on: 3,000 lines in, 3,000 out', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const lines = Array.from({ length: 3000 }, (_, i) =>
      i === 1449 ? `{"op":"error-priority","id":${deep}}` : ERROR_LINE(i),
    );
    const out = await batch([lines.join('\n') + '\n']);
    expect(out).toHaveLength(3000);
    expect(out[1449]).toEqual({
      id: null,
      error: {
        code: 'too-deep',
        message: 'line 1450 nests arrays/objects deeper than 64 levels (the limit)',
      },
    });
    expect(out[1450]).toMatchObject({ id: 1450, score: 5 });
    expect(out[2999]).toMatchObject({ id: 2999, score: 5 });
  });

  it('reads a BOM, CRLF line ends, blank lines and a lone CR as documented', async () => {
    const out = await batch([
      '\uFEFF' + ERROR_LINE(1) + '\r\n',
      '\r\n',
      '   \n',
      ERROR_LINE(4) + '\r' + ERROR_LINE(5) + '\n',
      ERROR_LINE(6), // no final line break
    ]);
    expect(out).toHaveLength(5);
    expect(out[0]).toMatchObject({ id: 1, score: 5 });
    expect(out[1]).toMatchObject({
      id: null,
      error: { code: 'blank-line', message: expect.stringContaining('line 2') },
    });
    expect(out[2]).toMatchObject({
      error: { code: 'blank-line', message: expect.stringContaining('line 3') },
    });
    // A lone CR is not a line break (JSON Lines): two objects on one line are one invalid line.
    expect(out[3]).toMatchObject({ id: null, error: { code: 'invalid-json' } });
    expect(out[4]).toMatchObject({ id: 6, score: 5 });
  });

  it('skips a line longer than the limit as it streams, with an error, and goes on', async () => {
    const small = await batch([ERROR_LINE(1) + '\n' + 'x'.repeat(2000) + '\n' + ERROR_LINE(3) + '\n'], {
      maxLineBytes: 1000,
      maxDepth: 64,
    });
    expect(small.map((l) => l.id ?? l.error.code)).toEqual([1, 'line-too-long', 3]);
    expect(small[1].error).toEqual({
      code: 'line-too-long',
      message: 'line 2 is longer than 1000 bytes (the limit); it was skipped',
    });
    // Exactly the limit is fine, CR of a CRLF not counted.
    const exact = `{"op":"nope","id":"${'y'.repeat(1000 - 21)}"}`;
    expect(Buffer.byteLength(exact)).toBe(1000);
    const edge = await batch([exact + '\r\n' + exact + 'z\n'], { maxLineBytes: 1000, maxDepth: 64 });
    expect(edge.map((l) => l.error.code)).toEqual(['unknown-op', 'line-too-long']);
  });

  it('survives a 600 MB line under the default limit of 1 MiB', async () => {
    const mb = Buffer.alloc(1024 * 1024, 0x61);
    const chunks: Buffer[] = [Buffer.from(ERROR_LINE(1) + '\n{"op":"nope","id":"')];
    for (let i = 0; i < 600; i++) chunks.push(mb);
    chunks.push(Buffer.from('"}\n' + ERROR_LINE(3) + '\n'));
    const out = await batch(chunks);
    expect(out.map((l) => l.id ?? l.error.code)).toEqual([1, 'line-too-long', 3]);
  });

  it('compiles each of the 11 Russian zones once while a batch cycles through them', async () => {
    const zones = [
      'Europe/Kaliningrad',
      'Europe/Moscow',
      'Europe/Samara',
      'Asia/Yekaterinburg',
      'Asia/Omsk',
      'Asia/Krasnoyarsk',
      'Asia/Irkutsk',
      'Asia/Yakutsk',
      'Asia/Vladivostok',
      'Asia/Magadan',
      'Asia/Kamchatka',
    ];
    const lines = Array.from({ length: 110 }, (_, i) =>
      JSON.stringify({
        op: 'add-working-time',
        id: i,
        start: '2026-03-06T16:30:00+03:00',
        minutes: 60,
        // shortDayMinutes 59: calendars no other test in this process has compiled yet.
        calendar: { zone: zones[i % zones.length], shortDayMinutes: 59 },
      }),
    );
    const before = calendarCompileCount();
    const out = await batch([lines.join('\n') + '\n']);
    expect(out.filter((l) => typeof l.end === 'string')).toHaveLength(110);
    expect(calendarCompileCount() - before).toBe(11);
  });

  // Issue #13, item 5.
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'does not read %s as a code of impact, urgency or workaround',
    (bad) => {
      for (const field of ['impact', 'urgency', 'workaround']) {
        const line = {
          op: 'error-priority',
          impact: 'high',
          urgency: 'high',
          mode: 'operation',
          workaround: 'none',
          [field]: bad,
        };
        expect(processLine(JSON.stringify(line))).toEqual({
          id: null,
          error: {
            code: 'invalid-field',
            message: expect.stringContaining(`"${field}" has an invalid value "${bad}"`),
          },
        });
      }
      expect(
        processLine(
          JSON.stringify({
            op: 'incident-priority',
            preset: bad,
            impact: 'high',
            urgency: 'high',
            mode: 'operation',
            nature: 'failure',
          }),
        ),
      ).toMatchObject({ error: { code: 'invalid-field', message: expect.stringContaining(`got "${bad}"`) } });
    },
  );

  it.each(['+99:99', '+24:00', '-24:00', '+03:60', '+9999'])('refuses the offset %s', (offset) => {
    expect(
      processLine(
        JSON.stringify({ op: 'add-working-time', start: `2026-03-06T16:30:00${offset}`, minutes: 1 }),
      ),
    ).toEqual({
      id: null,
      error: {
        code: 'invalid-field',
        message: `"start": instant "2026-03-06T16:30:00${offset}" has an invalid offset: hours must be 00–23 and minutes 00–59`,
      },
    });
  });

  it('accepts the offsets that exist', () => {
    for (const offset of ['Z', '+00:00', '+03:00', '-05:00', '+0530', '+12', '+14:00', '-23:59'])
      expect(
        processLine(
          JSON.stringify({ op: 'add-working-time', start: `2026-03-06T16:30:00${offset}`, minutes: 0 }),
        ),
      ).toHaveProperty('end');
  });

  it('names the field and the value in its messages', () => {
    const start = '2026-03-06T16:30:00+03:00';
    const msg = (line: string) => (processLine(line).error as { message: string }).message;
    expect(msg(`{"op":"add-months","start":"${start}","months":1e9}`)).toMatch(
      /^1000000000 months after 2026-03-06 falls beyond the compiled calendar/,
    );
    expect(msg(`{"op":"add-working-time","start":"${start}","minutes":1e309}`)).toBe(
      '"minutes" must be a non-negative integer, got Infinity',
    );
    expect(msg(`{"op":"add-working-days","start":"${start}","days":-1}`)).toBe(
      '"days" must be a non-negative integer, got -1',
    );
    expect(msg(`{"op":"month-norm","year":2026,"month":"3"}`)).toBe('"month" must be an integer, got "3"');
    expect(
      msg(
        '{"op":"incident-priority","impact":"high","urgency":"high","mode":"operation","nature":"failure","override":7}',
      ),
    ).toBe('"override" must be an object {"value": n, "reason": "..."}, got 7');
    expect(
      msg(
        '{"op":"error-priority","impact":"high","urgency":"high","mode":"operation","workaround":"none","linkedIncidents":[{"impact":"huge"}]}',
      ),
    ).toMatch(/^"linkedIncidents\[0\]\.impact" has an invalid value "huge"/);
    expect(msg('{"op":"compliance","records":{},"from":"2026-01-01","to":"2026-02-01"}')).toBe(
      '"records" is required: a list of SLA records, got {}',
    );
  });
});
