// Runs many raw watch streams in a worker thread (its own event loop, on the other
// core), so a fan-out measurement times the apiserver, not the watchers' decoding.
// Plain JS: worker threads do not go through the test runner's TypeScript transform.
import { parentPort, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';

const { address, streams, channels, request } = workerData;
const raw = (b) => b;
const Ctor = grpc.makeGenericClientConstructor(
  { Watch: { path: '/kubesim.v1.ResourceService/Watch', requestStream: false, responseStream: true, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
  'ResourceService',
);
const conns = Array.from({ length: channels }, () => new Ctor(address, grpc.credentials.createInsecure()));
const now = () => performance.timeOrigin + performance.now();
/** arrivals[i][k] = when stream i got its k-th message (absolute ms). */
const arrivals = Array.from({ length: streams }, () => []);
const calls = [];
let pending;

function check() {
  if (pending && arrivals.every((a) => a.length >= pending.count)) {
    const at = arrivals.map((a) => a[pending.count - 1]);
    pending = undefined;
    parentPort.postMessage({ type: 'arrived', at });
  }
}

for (let i = 0; i < streams; i++) {
  const call = conns[i % channels].Watch(Buffer.from(request));
  call.on('data', () => {
    arrivals[i].push(now());
    check();
  });
  call.on('error', (err) => {
    if (err.code !== grpc.status.CANCELLED) parentPort.postMessage({ type: 'error', message: err.message });
  });
  calls.push(call);
}

parentPort.on('message', (msg) => {
  if (msg.type === 'await') {
    pending = { count: msg.count };
    check();
  } else if (msg.type === 'counts') {
    parentPort.postMessage({ type: 'counts', at: arrivals.map((a) => a.length) });
  } else if (msg.type === 'stop') {
    for (const c of calls) c.cancel();
    for (const c of conns) c.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
