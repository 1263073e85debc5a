// Server load: `count` distinct package lookups (16 at a time) through
// /api/verify, then the server's resident memory. Prints `BENCH` lines.
import { readFileSync } from 'node:fs';

const [base, pid, count] = [process.env.SERVER_URL, process.env.SERVER_PID, Number(process.env.COUNT || 10000)];
const rss = () => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
const before = rss();
let next = 0;
let failed = 0;
const started = Date.now();
async function worker() {
  while (next < count) {
    const n = next++;
    const res = await fetch(`${base}/api/verify/load-${n}`);
    await res.arrayBuffer();
    if (res.status !== 200) failed++;
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
const seconds = (Date.now() - started) / 1000;
console.log(`BENCH distinct_lookups ${count}`);
console.log(`BENCH distinct_lookups_per_s ${(count / seconds).toFixed(0)}`);
console.log(`BENCH distinct_lookups_failed ${failed}`);
console.log(`BENCH rss_before_kb ${before}`);
console.log(`BENCH rss_after_kb ${rss()}`);
// A lookup that failed measured nothing: the run is not a result.
if (failed > 0) {
  console.error(`${failed} of ${count} lookups failed`);
  process.exit(1);
}
