/**
 * Evaluate benchmark (issue #14, "formatting off the hot path"): verdicts per second of the engine's
 * `evaluate` on 100,000 seeded snapshots (incidents and errors, 2025–2026, half of them stopped), each
 * serialised as `reglament batch` does, and the share of that time spent formatting instants. The
 * baseline in the same run is Luxon formatting the very same instants (`DateTime.fromMillis(ms,
 * { zone }).toISO()`, what the engine did before): the ratio says how much formatting got cheaper,
 * and what `evaluate` would cost with it.
 *
 *   npm run bench:evaluate      (node bench/evaluate.js; needs dist/ from `npm run build`; ~20 s)
 *
 * Last line: evaluate-bench: lines/s=<n> format-share=<%> luxon-format-share=<%> format-ratio=<luxon/ours>
 */
'use strict';
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const { evaluate } = require(path.join(dist, 'domain', 'evaluate.js'));
const { DEFAULT_POLICY } = require(path.join(dist, 'domain', 'policy.js'));
const { compileCalendar, DEFAULT_CALENDAR_CONFIG } = require(
  path.join(dist, 'domain', 'calendar', 'index.js'),
);
const { formatInstant } = require(path.join(dist, 'domain', 'calendar', 'instant.js'));
const { DateTime } = require('luxon');
const { mulberry32 } = require('./mulberry32.js');

const N = 100_000;
const SEED = 20261130;
const now = () => Number(process.hrtime.bigint()) / 1e6;

function snapshots() {
  const rand = mulberry32(SEED);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const from = Date.UTC(2024, 11, 31, 21, 0);
  const span = Date.UTC(2026, 10, 30, 21, 0) - from;
  const out = [];
  for (let i = 0; i < N; i++) {
    const reg = from + Math.floor((rand() * span) / 60_000) * 60_000;
    const iso = (ms) => formatInstant(ms, 'Europe/Moscow');
    const base = {
      key: `B-${i}`,
      registeredAt: iso(reg),
      impact: pick(['high', 'medium', 'low']),
      urgency: pick(['high', 'medium', 'low']),
      mode: pick(['operation', 'implementation']),
    };
    const stop = rand() < 0.5 ? iso(reg + Math.floor(rand() * 20 * 86_400_000)) : null;
    out.push(
      rand() < 0.5
        ? {
            ...base,
            kind: 'incident',
            nature: pick(['failure', 'question']),
            reactions: stop ? [{ at: stop, type: 'status' }] : [],
          }
        : {
            ...base,
            kind: 'error',
            workaround: pick(['none', 'moderate', 'full']),
            versions: [
              { name: '5.2.1', releaseDate: '2026-03-20' },
              { name: '6.0', releaseDate: '2026-09-01' },
            ],
            resolvedAt: stop,
          },
    );
  }
  return out;
}

function main() {
  const calendar = compileCalendar(DEFAULT_CALENDAR_CONFIG);
  const at = Date.UTC(2026, 10, 30, 9, 0);
  const input = snapshots();
  // Warm-up, then the timed run (evaluate + JSON, as one `reglament batch` line costs).
  for (let i = 0; i < 5_000; i++) JSON.stringify(evaluate(input[i], DEFAULT_POLICY, calendar, at));
  const t0 = now();
  let bytes = 0;
  for (const s of input) bytes += JSON.stringify(evaluate(s, DEFAULT_POLICY, calendar, at)).length;
  const evalMs = now() - t0;

  // The instants a verdict formats: evaluatedAt, and per clock due and at (as the verdicts carry them).
  const instants = [];
  for (const s of input) {
    const v = evaluate(s, DEFAULT_POLICY, calendar, at);
    instants.push(at);
    for (const c of [v.reaction, v.verification, v.fix]) {
      if (!c) continue;
      if (c.due) instants.push(Date.parse(c.due));
      if (c.at) instants.push(Date.parse(c.at));
    }
  }
  const time = (fn) => {
    for (let i = 0; i < 5_000; i++) fn(instants[i]);
    const t = now();
    for (const ms of instants) fn(ms);
    return now() - t;
  };
  const oursMs = time((ms) => formatInstant(ms, 'Europe/Moscow'));
  const luxonMs = time((ms) =>
    DateTime.fromMillis(ms, { zone: 'Europe/Moscow' }).toISO({ suppressMilliseconds: true }),
  );
  const linesPerS = N / (evalMs / 1000);
  const share = oursMs / evalMs;
  const luxonShare = luxonMs / (evalMs - oursMs + luxonMs);
  console.log(
    `snapshots: ${N.toLocaleString('en-US')} (seed ${SEED}); verdict JSON ${(bytes / N).toFixed(0)} bytes each`,
  );
  console.log(
    `evaluate + JSON: ${evalMs.toFixed(0)} ms → ${Math.round(linesPerS).toLocaleString('en-US')} lines/s`,
  );
  console.log(
    `formatting ${instants.length.toLocaleString('en-US')} instants: ours ${oursMs.toFixed(0)} ms (${(share * 100).toFixed(1)} % of evaluate), ` +
      `Luxon ${luxonMs.toFixed(0)} ms (would be ${(luxonShare * 100).toFixed(1)} %)`,
  );
  console.log(
    `evaluate-bench: lines/s=${Math.round(linesPerS)} format-share=${(share * 100).toFixed(1)}% ` +
      `luxon-format-share=${(luxonShare * 100).toFixed(1)}% format-ratio=${(luxonMs / oursMs).toFixed(1)}`,
  );
}

main();
