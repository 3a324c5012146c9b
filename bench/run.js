/**
 * Deadline benchmark: our compiled working-time engine against the npm peers of
 * /work/shared/design/perf-peers.md (opening_hours, moment-business-time, dayjs-business-time), in ONE
 * process, on the perf-peers workload: 100,000 deadlines, seed 20250101 (mulberry32), starts uniform over
 * 2025–2026 in Moscow (whole minutes), durations uniform over 8/16/24/40/80 working hours and 10/15
 * working days at 8 h a day (as minutes). Peers are slow, so each runs on the first SUBSET deadlines
 * (time-boxed); agreement and checksums are compared on that common subset.
 *
 *   npm run bench            (node bench/run.js; about a minute)
 *
 * Last line: deadline-bench: ours=<ops/s> best-peer=<name>:<ops/s> ratio=<ours/peer> agree=<share>
 */
'use strict';
// The peers compute in the process's local zone: set it before anything loads a date library.
process.env.TZ = 'Europe/Moscow';

const v8 = require('node:v8');
const vm = require('node:vm');
const { buildEngine } = require('./build-engine.js');
const { mulberry32 } = require('./mulberry32.js');

const N = 100_000;
const SEED = 20250101;
const SUBSET = 2_000;
const PEER_TIME_BOX_MS = 20_000;
const OURS_MIN_MS = 1_500;
const DURATIONS_MIN = [8 * 60, 16 * 60, 24 * 60, 40 * 60, 80 * 60, 10 * 8 * 60, 15 * 8 * 60];
const DURATION_LABELS = ['8h', '16h', '24h', '40h', '80h', '10d', '15d'];
/** perf-peers.md §3: checksum of the reference on its calendar (33 days off 2025–2026, working Sat 2025-11-01, no short days). */
const PERF_PEERS_REFERENCE_CHECKSUM = 2946647471760;
const PERF_PEERS_NO_SATURDAY_CHECKSUM = 2946650074968;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const fmtInt = (x) => Math.round(x).toLocaleString('en-US');

function workload() {
  const rand = mulberry32(SEED);
  const from = Date.UTC(2024, 11, 31, 21, 0); // 2025-01-01T00:00+03:00
  const to = Date.UTC(2026, 11, 31, 21, 0); // 2027-01-01T00:00+03:00
  const span = (to - from) / 60_000;
  const starts = new Float64Array(N);
  const minutes = new Int32Array(N);
  const kinds = new Int8Array(N);
  for (let i = 0; i < N; i++) {
    starts[i] = from + Math.floor(rand() * span) * 60_000;
    kinds[i] = Math.floor(rand() * DURATIONS_MIN.length);
    minutes[i] = DURATIONS_MIN[kinds[i]];
  }
  return { starts, minutes, kinds };
}

function checksum(deadlines, count) {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += deadlines[i] / 60_000;
  return sum;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---------------------------------------------------------------------------------------------------
// Our engine
// ---------------------------------------------------------------------------------------------------

const engine = require(`${buildEngine()}/index.js`);
const { starts, minutes, kinds } = workload();

/** Weekday dates off (holidays and moved days off) of the production layer, years 2025–2027. */
function weekdayDaysOff(years) {
  const out = [];
  for (const year of years) {
    const y = engine.ruYear(year);
    for (const d of [...y.holidays, ...y.extraDaysOff]) {
      const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
      if (wd !== 0 && wd !== 6) out.push(d);
    }
  }
  return [...new Set(out)].sort();
}

function runOurs(cal, count, out) {
  for (let i = 0; i < count; i++) out[i] = cal.addWorkingMinutes(starts[i], minutes[i]);
}

function benchOurs(cal) {
  const out = new Float64Array(N);
  for (let w = 0; w < 3; w++) runOurs(cal, N, out);
  const rates = [];
  let ops = 0;
  let elapsed = 0;
  while (elapsed < OURS_MIN_MS || rates.length < 5) {
    const t0 = now();
    runOurs(cal, N, out);
    const dt = now() - t0;
    rates.push((N / dt) * 1000);
    ops += N;
    elapsed += dt;
  }
  return { opsPerSec: (ops / elapsed) * 1000, medianPass: median(rates), passes: rates.length, out };
}

function benchOther(label, fn) {
  for (let i = 0; i < 20_000; i++) fn(i);
  let ops = 0;
  const t0 = now();
  let sink = 0;
  while (now() - t0 < 1_000) {
    for (let i = 0; i < N; i++) sink += fn(i);
    ops += N;
  }
  const rate = (ops / (now() - t0)) * 1000;
  return { label, rate, sink };
}

function gcFunction() {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

function measureMemory(config, range, copies) {
  const gc = gcFunction();
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  gc();
  gc();
  const before = used();
  const keep = [];
  for (let i = 0; i < copies; i++) keep.push(engine.compileCalendar(config, range));
  gc();
  gc();
  const perCalendar = (used() - before) / copies;
  const cal = keep[0];
  const typed = ['dayStart', 'dayClose', 'wcBefore', 'workDays', 'starts', 'ends', 'cumEnd'].reduce(
    (sum, k) => sum + cal[k].byteLength,
    0,
  );
  return { perCalendar, typed, intervals: cal.intervalCount };
}

function compileTimes(config, range, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    engine.compileCalendar(config, range);
    times.push(now() - t0);
  }
  return { first: times[0], median: median(times.slice(1)) };
}

// ---------------------------------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------------------------------

const PEER_YEARS = [2025, 2026, 2027];
const OFF = weekdayDaysOff(PEER_YEARS);

function openingHoursRule() {
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const ohDate = (d) => `${d.slice(0, 4)} ${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(8, 10)}`;
  const rules = ['Mo-Fr 09:00-13:00,14:00-18:00'];
  for (const d of OFF) rules.push(`${ohDate(d)} off`);
  for (const year of PEER_YEARS) {
    const y = engine.ruYear(year);
    for (const d of y.workingWeekends) {
      rules.push(
        `${ohDate(d)} ${y.shortDays.includes(d) ? '09:00-13:00,14:00-17:00' : '09:00-13:00,14:00-18:00'}`,
      );
    }
    for (const d of y.shortDays)
      if (!y.workingWeekends.includes(d)) rules.push(`${ohDate(d)} 09:00-13:00,14:00-17:00`);
  }
  return rules.join('; ');
}

function makeOpeningHours() {
  const OpeningHours = require('opening_hours');
  const rule = openingHoursRule();
  const t0 = now();
  const oh = new OpeningHours(rule, null, { tag_key: 'opening_hours' });
  const setupMs = now() - t0;
  const limit = new Date(Date.UTC(2030, 0, 1));
  const deadline = (start, mins) => {
    const it = oh.getIterator(new Date(start));
    let left = mins * 60_000;
    for (;;) {
      const open = it.getState();
      const at = it.getDate().getTime();
      if (!it.advance(limit)) throw new Error('opening_hours: iterator ran out');
      if (open) {
        const span = it.getDate().getTime() - at;
        if (span >= left) return at + left;
        left -= span;
      }
    }
  };
  return {
    name: 'opening_hours',
    version: require('opening_hours/package.json').version,
    calendar: `rule string: weekly hours + ${OFF.length} dated days off, working Saturdays, short days (2025–2027)`,
    setupMs,
    deadline,
    full: true,
  };
}

function makeMoment() {
  const moment = require('moment-business-time');
  const day = ['09:00:00', '13:00:00', '14:00:00', '18:00:00'];
  const t0 = now();
  moment.updateLocale('en', {
    workinghours: { 0: null, 1: day, 2: day, 3: day, 4: day, 5: day, 6: null },
    holidays: OFF,
  });
  const setupMs = now() - t0;
  return {
    name: 'moment-business-time',
    version: `${require('moment-business-time/package.json').version} (moment ${require('moment/package.json').version})`,
    calendar: `weekly hours + ${OFF.length} holidays; no working Saturday, no short days`,
    setupMs,
    deadline: (start, mins) => moment(start).addWorkingTime(mins, 'minutes').valueOf(),
    full: false,
  };
}

function makeDayjs() {
  const dayjs = require('dayjs');
  dayjs.extend(require('dayjs-business-time'));
  const day = [
    { start: '09:00:00', end: '13:00:00' },
    { start: '14:00:00', end: '18:00:00' },
  ];
  const t0 = now();
  dayjs.setHolidays(OFF);
  dayjs.setBusinessTime({
    sunday: null,
    monday: day,
    tuesday: day,
    wednesday: day,
    thursday: day,
    friday: day,
    saturday: null,
  });
  const setupMs = now() - t0;
  return {
    name: 'dayjs-business-time',
    version: `${require('dayjs-business-time/package.json').version} (dayjs ${require('dayjs/package.json').version})`,
    calendar: `weekly hours + ${OFF.length} holidays; no working Saturday, no short days`,
    setupMs,
    deadline: (start, mins) => dayjs(start).addBusinessMinutes(mins).valueOf(),
    full: false,
  };
}

function runPeer(peer) {
  for (let i = SUBSET; i < SUBSET + 100; i++) peer.deadline(starts[i], minutes[i]); // warm-up, not compared
  const out = new Float64Array(SUBSET);
  const t0 = now();
  let done = 0;
  while (done < SUBSET && now() - t0 < PEER_TIME_BOX_MS) {
    out[done] = peer.deadline(starts[done], minutes[done]);
    done++;
  }
  const elapsed = now() - t0;
  return { ...peer, out, done, opsPerSec: (done / elapsed) * 1000, elapsed };
}

// ---------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------

function main() {
  const log = (s = '') => process.stdout.write(`${s}\n`);
  log(
    `deadline bench — Node ${process.version}, TZ=${process.env.TZ}, ${require('node:os').cpus().length} CPUs`,
  );
  log(
    `workload: ${fmtInt(N)} deadlines, seed ${SEED}, starts uniform 2025–2026 Moscow, durations ${DURATION_LABELS.join('/')}`,
  );
  const first = [];
  for (let i = 0; i < 3; i++) {
    first.push(
      `${engine.formatInstant(starts[i], 'Europe/Moscow').slice(0, 16)} + ${DURATION_LABELS[kinds[i]]}`,
    );
  }
  log(`first: ${first.join(' | ')}`);
  log();

  // Compile time and memory.
  const config = engine.DEFAULT_CALENDAR_CONFIG;
  const c2030 = compileTimes(config, { fromYear: 2024, toYear: 2030 }, 9);
  const c2035 = compileTimes(config, { fromYear: 2020, toYear: 2035 }, 7);
  const mem = measureMemory(config, { fromYear: 2024, toYear: 2030 }, 20);
  log('compile (default calendar, production ru):');
  log(
    `  2024–2030: first ${c2030.first.toFixed(1)} ms (incl. Luxon warm-up), then median ${c2030.median.toFixed(1)} ms`,
  );
  log(`  2020–2035: median ${c2035.median.toFixed(1)} ms`);
  log(
    `memory, compiled 2024–2030: ${(mem.perCalendar / 1024).toFixed(1)} KB per calendar (heap + external delta over 20 copies); ` +
      `typed arrays ${(mem.typed / 1024).toFixed(1)} KB, ${fmtInt(mem.intervals)} intervals`,
  );
  log();

  // Ours.
  const cal = engine.compileCalendar(config);
  const ours = benchOurs(cal);
  const oursAll = checksum(ours.out, N);
  log(
    `ours addWorkingMinutes: ${fmtInt(ours.opsPerSec)} ops/s over ${ours.passes} passes of ${fmtInt(N)} ` +
      `(median pass ${fmtInt(ours.medianPass)}), checksum(all ${fmtInt(N)}) ${oursAll}`,
  );
  const days = benchOther('addWorkingDays', (i) => cal.addWorkingDays(starts[i], 10 + (i & 1) * 5));
  const between = benchOther('workingMinutesBetween', (i) =>
    cal.workingMinutesBetween(starts[i], ours.out[i]),
  );
  log(`ours addWorkingDays (10/15 days, Civil Code): ${fmtInt(days.rate)} ops/s`);
  log(`ours workingMinutesBetween: ${fmtInt(between.rate)} ops/s`);

  // Cross-check against the perf-peers.md reference on its own calendar.
  const perfConfig = (withSaturday) => ({
    ...config,
    production: 'none',
    overrides: [
      ...weekdayDaysOff([2025, 2026]).map((date) => ({ date, kind: 'day-off' })),
      ...(withSaturday ? [{ date: '2025-11-01', kind: 'working-day' }] : []),
    ],
  });
  const perfOut = new Float64Array(N);
  runOurs(engine.compileCalendar(perfConfig(true)), N, perfOut);
  const perfSum = checksum(perfOut, N);
  runOurs(engine.compileCalendar(perfConfig(false)), N, perfOut);
  const perfSumNoSat = checksum(perfOut, N);
  log(
    `cross-check, perf-peers.md calendar (no short days, no 2027 holidays): checksum ${perfSum} ` +
      `${perfSum === PERF_PEERS_REFERENCE_CHECKSUM ? '= reference ✓' : `≠ reference ${PERF_PEERS_REFERENCE_CHECKSUM} ✗`}; ` +
      `without the working Saturday ${perfSumNoSat} ${perfSumNoSat === PERF_PEERS_NO_SATURDAY_CHECKSUM ? '✓' : '✗'}`,
  );
  log();

  // The calendar the moment/dayjs plugins can express: weekly hours + the same days off, nothing else.
  const pluginCal = engine.compileCalendar({
    ...config,
    production: 'none',
    overrides: OFF.map((date) => ({ date, kind: 'day-off' })),
  });
  const pluginOut = new Float64Array(SUBSET);
  runOurs(pluginCal, SUBSET, pluginOut);

  const peers = [makeOpeningHours, makeMoment, makeDayjs].map((make) => runPeer(make()));
  const common = Math.min(...peers.map((p) => p.done));
  const oursSubset = checksum(ours.out, common);
  log(
    `peers: first ${fmtInt(common)} deadlines (time box ${PEER_TIME_BOX_MS / 1000} s each), checksum ours ${oursSubset}`,
  );
  const rows = [];
  for (const p of peers) {
    let agree = 0;
    let agreeExpressible = 0;
    for (let i = 0; i < common; i++) {
      if (p.out[i] === ours.out[i]) agree++;
      if (p.out[i] === pluginOut[i]) agreeExpressible++;
    }
    const row = {
      name: p.name,
      opsPerSec: p.opsPerSec,
      agree,
      share: agree / common,
      ratio: ours.opsPerSec / p.opsPerSec,
    };
    rows.push(row);
    log(`  ${p.name} ${p.version}`);
    log(`    calendar: ${p.calendar}; setup ${p.setupMs.toFixed(1)} ms`);
    log(
      `    ${fmtInt(p.opsPerSec)} ops/s (${fmtInt(p.done)} deadlines in ${(p.elapsed / 1000).toFixed(1)} s), ` +
        `checksum ${checksum(p.out, common)}, agree ${agree}/${common} (${(row.share * 100).toFixed(2)} %), ` +
        `ours/peer ${fmtInt(row.ratio)}×`,
    );
    if (!p.full) {
      log(
        `    vs ours on the calendar it can express (no working Saturday, no short days): ` +
          `agree ${agreeExpressible}/${common} (${((agreeExpressible / common) * 100).toFixed(2)} %)`,
      );
    }
  }
  const best = rows.reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a));
  log();
  log(
    `targets: ours ≥ 1,000,000/s ${ours.opsPerSec >= 1e6 ? '✓' : '✗'}; ≥ 100× fastest peer ${best.ratio >= 100 ? '✓' : '✗'}; ` +
      `2024–2030 calendar < 20 MB ${mem.perCalendar < 20 * 1024 * 1024 ? '✓' : '✗'}`,
  );
  log(
    `deadline-bench: ours=${Math.round(ours.opsPerSec)} best-peer=${best.name}:${Math.round(best.opsPerSec)} ` +
      `ratio=${Math.round(best.ratio)} agree=${best.share.toFixed(4)}`,
  );
}

main();
