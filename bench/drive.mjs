// One closed-loop load run with autocannon, printed as one table row.
// Usage: node bench/drive.mjs <label> <base-url> <hit|miss|miss-ended|list> <seconds> <connections> [header:value ...]
//   hit   GET <base>/batches/batch_done_1 (one completed batch, again and again)
//   miss  GET <base>/batches/batch_<n>, a new running batch each request (no cache can answer it)
//   miss-ended  the same for new completed batches (Ferry remembers each one's usage and owner)
//   list  GET <base>/batches?limit=20
// BENCH_NODE names the node_modules folder autocannon was installed into.
import { createRequire } from 'node:module';

const require = createRequire(`${process.env.BENCH_NODE}/`);
const autocannon = require('autocannon');

const [label, base, mode, seconds, connections, ...headerArgs] = process.argv.slice(2);
const headers = Object.fromEntries(headerArgs.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1)]));
let next = 0;
const path = {
  hit: () => '/batches/batch_done_1',
  miss: () => `/batches/batch_${process.pid}_${next++}`,
  'miss-ended': () => `/batches/batch_done_${process.pid}_${next++}`,
  list: () => '/batches?limit=20',
}[mode];
const url = new URL(base);
const result = await autocannon({
  url: url.origin,
  connections: Number(connections),
  duration: Number(seconds),
  headers,
  requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: url.pathname + path() }) }],
});
const rate = result.requests.total / (result.duration || Number(seconds));
const failed = result.errors + result.timeouts + result.non2xx;
console.log(`| ${label} | ${mode} | ${Math.round(rate).toLocaleString('en')} | ${result.latency.p50} | ${result.latency.p99} | ${failed} |`);
