/**
 * `node bench/profile-top.js <file.cpuprofile> [n]`: the functions with the most self time in a V8 CPU
 * profile (written by `BENCH_CPU_PROF=<dir> npm run bench:server`), and the self time per source file,
 * as shares of the sampled time (idle excluded).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2];
const n = Number(process.argv[3] || 25);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.js <file.cpuprofile> [n]\n');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
}
const fns = new Map();
const files = new Map();
let total = 0;
for (const [id, us] of self) {
  const { callFrame } = byId.get(id);
  if (callFrame.functionName === '(idle)' || callFrame.functionName === '(program)') continue;
  total += us;
  const where = callFrame.url ? path.basename(callFrame.url) : '(native)';
  const key = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const group = callFrame.url.includes('node_modules/')
    ? callFrame.url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
    : where;
  files.set(group, (files.get(group) ?? 0) + us);
}
const top = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, us]) =>
        `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    )
    .join('\n');
process.stdout.write(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled (idle excluded)\n\nby function (self):\n${top(fns)}\n\nby file or package (self):\n${top(files)}\n`,
);
