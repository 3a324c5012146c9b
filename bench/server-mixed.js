/**
 * Phase 5 of `npm run bench:server` (issue #14, session 18): two sources at once on SQLite. The generic
 * webhooks are stored and processed by the ingest thread; a Jira DC's events are the main thread's
 * (its connection stores them, its worker re-reads the issue from Jira and writes the record). SQLite
 * has one write lock: a main-thread write that finds the ingest thread's batch holding it waits in
 * SQLite's busy handler, which sleeps on the event loop. This phase measures what that costs.
 *
 * One server (a temporary data directory, a fake Jira DC from the tests holding the issues the events
 * name), two windows of PHASE5_SECONDS each under the phase-1 generic load (16 connections):
 *   A — generic load, /healthz every 20 ms;
 *   B — the same, plus a signed Jira DC webhook every 50 ms (20 a second: the body of a real
 *       `jira:issue_created` delivery, ../shared/jira-real/dc-webhooks, naming an issue of the fake).
 * Printed: p50/p99/max of /healthz in A and B and of the Jira webhooks' answers in B, the generic
 * events/s in both, and the Jira events processed by the end. Target: p99 < 100 ms in B for both
 * (the bound issue #14 sets for /healthz and webhooks during a sweep or a dashboard view).
 */
/* global fetch, setTimeout */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { transpileRepoFiles } = require('./transpile');
const { stats, line } = require('./server-scale');

const ROOT = path.join(__dirname, '..');
const SECONDS = Number(process.env.BENCH_MIXED_SECONDS || 10);
const JIRA_SECRET = 'bench-jira-webhook-secret-0123456789';
const TEMPLATE = path.join(ROOT, 'test', 'fixtures', 'jira-real', 'dc-webhooks', 'jt-issue_created.json');

/** Times `fn` into `into` (ms). */
async function timed(fn, into) {
  const t = process.hrtime.bigint();
  await fn();
  into.push(Number(process.hrtime.bigint() - t) / 1e6);
}

/**
 * /healthz every 20 ms and, with `jira`, one Jira webhook every 50 ms, until `until` resolves.
 * @returns the latencies and the Jira webhooks' status codes.
 */
async function sample(base, until, jira) {
  const health = [];
  const hooks = [];
  const codes = {};
  let done = false;
  until.then(() => (done = true));
  const healthLoop = (async () => {
    while (!done) {
      await timed(() => fetch(`${base}/healthz`).then((r) => r.arrayBuffer()), health);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const hookLoop = (async () => {
    while (jira && !done) {
      const body = jira.next();
      await timed(async () => {
        const r = await fetch(`${base}/webhooks/jira`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-hub-signature': `sha256=${crypto.createHmac('sha256', JIRA_SECRET).update(body).digest('hex')}`,
          },
        });
        await r.arrayBuffer();
        codes[r.status] = (codes[r.status] ?? 0) + 1;
      }, hooks);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await until;
  await Promise.all([healthLoop, hookLoop]);
  return { health: stats(health), hooks: stats(hooks), codes };
}

/**
 * @param h { freePort, startServer(port, dir, env), waitHealthy(base, child), runLoad(base, prefix,
 *   seconds, accepted), waitDrained(base), metrics(base), stop(child), out (the transpiled tree) }
 * @returns { pass }
 */
async function mixedSourcesPhase(h) {
  transpileRepoFiles(['test/server/fake-jira.ts', 'test/support/jql-values.ts'], h.out);
  const { startFakeJira, incidentIssue } = require(path.join(h.out, 'test', 'server', 'fake-jira.js'));
  const jira = await startFakeJira();
  const template = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
  let n = 0;
  const events = {
    // Each delivery names an issue of its own, created in the fake before it is sent.
    next() {
      n += 1;
      const key = `SUP-${n}`;
      const issue = incidentIssue(key);
      jira.issues.set(key, issue);
      return JSON.stringify({
        ...template,
        timestamp: Date.now(),
        issue: { ...issue, self: `${jira.url}/rest/api/2/issue/${issue.id}` },
      });
    },
  };
  const port = await h.freePort();
  const base = `http://127.0.0.1:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-bench-mixed-'));
  const server = h.startServer(port, dir, {
    REGLAMENT_JIRA_URL: jira.url,
    REGLAMENT_JIRA_TOKEN: 'bench-pat',
    REGLAMENT_JIRA_WEBHOOK_SECRET: JIRA_SECRET,
    REGLAMENT_JIRA_CREATE_FIELDS: 'true',
  });
  try {
    await h.waitHealthy(base, server);
    // Warm-up of both paths, not counted.
    const warm = new Promise((r) => setTimeout(r, 3000));
    await Promise.all([h.runLoad(base, 'MWARM', 3, new Set()), sample(base, warm, events)]);
    await h.waitDrained(base);
    const window = async (prefix, withJira) => {
      const m0 = await h.metrics(base);
      const load = h.runLoad(base, prefix, SECONDS, new Set());
      const s = await sample(base, load, withJira ? events : null);
      const r = await load;
      return { ...s, genericPerSec: r['2xx'] / SECONDS, m0 };
    };
    const a = await window('MA', false);
    const b = await window('MB', true);
    const drained = await h.waitDrained(base);
    const processed = jira.calls.filter((c) => c.method === 'PUT').length;
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    const codes = Object.entries(b.codes)
      .map(([c, k]) => `${k} × ${c}`)
      .join(', ');
    process.stdout.write(
      `\nphase 5 (two sources on SQLite: the generic load on the ingest thread, Jira DC events on the main thread): ` +
        `${SECONDS} s per window; load average ${load}\n` +
        `  A, generic only        — ${line('/healthz', a.health)}; generic ${Math.round(a.genericPerSec)} events/s\n` +
        `  B, + 20 Jira events/s  — ${line('/healthz', b.health)}; ${line('Jira webhook', b.hooks)} (${codes}); ` +
        `generic ${Math.round(b.genericPerSec)} events/s\n` +
        `  Jira events: ${n} sent in all (warm-up included), ${processed} issue writes to the fake Jira by the end; ` +
        `inbox failed ${drained.failed}\n`,
    );
    const pass = b.health.p99 < 100 && b.hooks.p99 < 100 && drained.failed === 0;
    process.stdout.write(
      `  target p99 < 100 ms for /healthz and the Jira webhooks beside the generic load: ${pass ? 'PASS' : 'FAIL'}\n`,
    );
    return { pass, a, b };
  } finally {
    await h.stop(server);
    await jira.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { mixedSourcesPhase };
