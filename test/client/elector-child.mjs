// A leader-election candidate as its own process, for the integration test: it campaigns
// on a Lease with short timings and prints one JSON line per transition.
// Usage: node elector-child.mjs <apiserver host:port> <identity> <lock name>
import { Client } from '../../packages/client/dist/index.js';
import { LeaderElector } from '../../packages/client/dist/machinery.js';

const [endpoint, identity, lockName] = process.argv.slice(2);
const client = new Client({ endpoints: [endpoint], timeoutMs: 1500, userAgent: identity });
const say = (event) => process.stdout.write(JSON.stringify({ event, identity, t: Date.now() }) + '\n');

const elector = new LeaderElector({
  client,
  lockName,
  identity,
  leaseDurationSeconds: 3,
  renewDeadlineSeconds: 2,
  retryPeriodSeconds: 0.5,
  callbacks: {
    onStartedLeading: () => say('started'),
    onStoppedLeading: () => say('stopped'),
  },
});
process.on('SIGTERM', () => process.exit(0));
say('ready');
for (;;) await elector.run();
