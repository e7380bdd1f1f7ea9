import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { StatusError, type ConfigMap, type KubeObject } from '@kubesim/api';
import { FakeClock } from '../util/clock.js';
import { waitFor } from '../util/wait.js';
import { FakeListerWatcher } from './fake.js';
import { InformerFactory } from './factory.js';
import { deletedObject, isTombstone, SharedIndexInformer, waitForCacheSync, type DeletedFinalStateUnknown } from './informer.js';
import { Reflector } from './reflector.js';
import { Indexer, NAMESPACE_INDEX, byNamespace } from './store.js';

function cm(name: string, data: Record<string, string> = {}, ns = 'default'): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

type Delta = string;

/** Records handler calls as short strings: "add a", "update a 3->5", "delete a (tombstone)". */
function recorder(informer: SharedIndexInformer<ConfigMap>) {
  const deltas: Delta[] = [];
  informer.addEventHandler({
    onAdd: (o, initial) => deltas.push(`add ${o.metadata?.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (a, b) => deltas.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o: ConfigMap | DeletedFinalStateUnknown<ConfigMap>) => deltas.push(`delete ${deletedObject(o).metadata?.name}${isTombstone(o) ? ' (tombstone)' : ''}`),
  });
  return deltas;
}

function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const toStop: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(toStop.splice(0).map((x) => x.stop()));
});

function start(lw: FakeListerWatcher<ConfigMap>, clock = new FakeClock()) {
  const informer = new SharedIndexInformer<ConfigMap>(lw, { clock, random: () => 0, indexers: { [NAMESPACE_INDEX]: byNamespace } });
  toStop.push(informer);
  const deltas = recorder(informer);
  informer.start();
  return { informer, deltas, clock };
}

describe('SharedIndexInformer over a fake ListerWatcher', () => {
  it('lists, syncs, then follows watch events', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.add(cm('a'));
    lw.add(cm('b', {}, 'other'));
    const { informer, deltas } = start(lw);
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.hasSynced()).toBe(true);
    expect(deltas.sort()).toEqual(['add a (initial)', 'add b (initial)']);
    expect(lw.watchedFrom).toEqual(['2']);
    deltas.length = 0;

    lw.add(cm('c'));
    lw.modify(cm('a', { k: 'v' }));
    lw.remove(cm('b', {}, 'other'));
    await waitFor(() => deltas.length === 3);
    expect(deltas).toEqual(['add c', 'update a 1->4', 'delete b']);
    expect(informer.indexer.get('default/a')?.data).toEqual({ k: 'v' });
    expect(informer.indexer.listKeys().sort()).toEqual(['default/a', 'default/c']);
    expect(informer.indexer.byIndex(NAMESPACE_INDEX, 'other')).toEqual([]);
    expect(informer.lastSyncResourceVersion).toBe('5');
  });

  it('resumes a broken watch from the last resourceVersion without relisting', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.add(cm('a'));
    const { informer, deltas, clock } = start(lw);
    await informer.waitForSync();
    lw.modify(cm('a', { n: '1' }));
    await waitFor(() => informer.lastSyncResourceVersion === '2');

    // The connection drops; changes happen meanwhile; the resumed watch replays them.
    // A watch that was delivering events resumes at once (another apiserver may serve it).
    lw.breakWatches(new StatusError('ServiceUnavailable', 'the apiserver is unavailable: connection reset'));
    lw.add(cm('b'));
    await waitFor(() => lw.watches.length === 2, { what: 'a second watch' });
    expect(clock.pendingTimers()).toBe(0);
    expect(lw.watchedFrom).toEqual(['1', '2']);
    await waitFor(() => informer.indexer.has('default/b'));
    // A watch that ends normally (server timeout) resumes too.
    lw.breakWatches();
    lw.modify(cm('b', { n: '2' }));
    await waitFor(() => informer.indexer.get('default/b')?.data?.n === '2');
    expect(lw.watchedFrom).toEqual(['1', '2', '3']);
    expect(lw.listCalls).toBe(1);
    expect(deltas).toEqual(['add a (initial)', 'update a 1->2', 'add b', 'update b 3->4']);
  });

  it('bookmarks advance the resourceVersion a watch resumes from', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    const { informer, deltas } = start(lw);
    await informer.waitForSync();
    lw.bookmark();
    lw.bookmark();
    await waitFor(() => informer.lastSyncResourceVersion === '2');
    lw.breakWatches();
    await waitFor(() => lw.watches.length === 2);
    expect(lw.watchedFrom).toEqual(['0', '2']);
    expect(deltas).toEqual([]);
  });

  it('relists on Expired and emits the deltas missed while disconnected', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.add(cm('keep'));
    lw.add(cm('change'));
    lw.add(cm('vanish'));
    const { informer, deltas } = start(lw);
    await informer.waitForSync();
    deltas.length = 0;

    // While the watch is down, objects change and history is compacted.
    lw.breakWatches(new StatusError('ServiceUnavailable', 'the apiserver is unavailable'));
    lw.failWatches(1);
    lw.modify(cm('change', { x: 'y' }));
    lw.remove(cm('vanish'));
    lw.add(cm('new'));
    lw.compact();
    const listsBefore = lw.listCalls;
    // The reflector backs off once (failWatches), then resumes from 3, which is too old.
    const clock = (informer as unknown as { clock: FakeClock }).clock;
    await waitFor(() => {
      clock.advance(5000);
      return lw.listCalls > listsBefore && informer.indexer.has('default/new');
    });
    expect(lw.watchedFrom.slice(0, 3)).toEqual(['3', '3', '3']);
    expect(deltas.sort()).toEqual(['add new', 'delete vanish (tombstone)', 'update change 2->4']);
    expect(informer.indexer.listKeys().sort()).toEqual(['default/change', 'default/keep', 'default/new']);
    // The new watch starts from the relist's revision.
    await waitFor(() => lw.watchedFrom.at(-1) === '6');
  });

  it('backs off exponentially (with jitter) while the list fails, logging the wait', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.add(cm('a'));
    lw.failLists(4);
    const clock = new FakeClock();
    const { logger, lines } = memoryLogger();
    const store = new Indexer<ConfigMap>();
    const reflector = new Reflector(lw, store, { clock, random: () => 0.5, logger });
    toStop.push(reflector);
    void reflector.run();
    const waits: number[] = [];
    for (let i = 1; i <= 4; i++) {
      await waitFor(() => lw.listCalls === i && clock.pendingTimers() === 1, { what: `list attempt ${i}` });
      const wait = clock.nextTimerAt()! - clock.now();
      waits.push(wait);
      clock.advance(wait - 1);
      expect(lw.listCalls).toBe(i);
      clock.advance(1);
    }
    // 200 ms doubling, plus 10% (jitter 0.2 * random 0.5).
    expect(waits).toEqual([220, 440, 880, 1760]);
    await waitFor(() => store.has('default/a'));
    expect(lines.filter((l) => /apiserver is unreachable.*retrying in 220 ms/.test(String(l.msg)))).toHaveLength(1);
    expect(lines[0].reflector).toBe('fake objects');
  });

  it('backs off when watches keep failing, then resumes without relisting', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    const { informer, clock } = start(lw);
    await informer.waitForSync();
    lw.failWatches(3);
    lw.breakWatches();
    lw.add(cm('late'));
    await waitFor(() => {
      clock.advance(100);
      return informer.indexer.has('default/late');
    });
    expect(lw.listCalls).toBe(1);
    expect(lw.watchedFrom).toEqual(['0', '0', '0', '0', '0']);
  });

  it('stop() ends the watch and any backoff wait, leaving no timers', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    const { informer, clock } = start(lw);
    await informer.waitForSync();
    await informer.stop();
    expect(lw.openWatches()).toEqual([]);

    const lw2 = new FakeListerWatcher<ConfigMap>();
    lw2.failLists(100);
    const { informer: i2 } = start(lw2, clock);
    const sync = i2.waitForSync();
    await waitFor(() => clock.pendingTimers() === 1);
    await i2.stop();
    expect(clock.pendingTimers()).toBe(0);
    expect(await sync).toBe(false);
  });

  it('waitForSync honours an abort signal', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.failLists(100);
    const { informer } = start(lw);
    const ac = new AbortController();
    const p = waitForCacheSync(ac.signal, informer);
    ac.abort();
    expect(await p).toBe(false);
  });

  it('replays the cache to a handler added after sync, and can remove handlers', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.add(cm('a'));
    const { informer } = start(lw);
    await informer.waitForSync();
    const seen: string[] = [];
    const reg = informer.addEventHandler({ onAdd: (o, initial) => seen.push(`${o.metadata?.name} ${initial}`) });
    expect(seen).toEqual(['a true']);
    expect(reg.hasSynced()).toBe(true);
    reg.remove();
    lw.add(cm('b'));
    await waitFor(() => informer.indexer.has('default/b'));
    expect(seen).toEqual(['a true']);
  });

  it('a throwing handler does not stop the cache or other handlers', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    const { informer, deltas } = start(lw);
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('boom');
      },
    });
    await informer.waitForSync();
    lw.add(cm('a'));
    await waitFor(() => deltas.includes('add a'));
    expect(informer.indexer.has('default/a')).toBe(true);
  });

  it('resyncs handlers periodically with onUpdate(obj, obj)', async () => {
    const lw = new FakeListerWatcher<ConfigMap>();
    lw.add(cm('a'));
    const clock = new FakeClock();
    const informer = new SharedIndexInformer<ConfigMap>(lw, { clock });
    toStop.push(informer);
    const resyncs: string[] = [];
    informer.addEventHandler({ onUpdate: (a, b) => a === b && resyncs.push(b.metadata!.name!) }, { resyncPeriodMs: 30_000 });
    informer.start();
    await informer.waitForSync();
    clock.advance(29_999);
    expect(resyncs).toEqual([]);
    clock.advance(1);
    expect(resyncs).toEqual(['a']);
    clock.advance(30_000);
    expect(resyncs).toEqual(['a', 'a']);
  });
});

describe('InformerFactory', () => {
  it('shares one informer per resource and scope', async () => {
    const made: string[] = [];
    const lws = new Map<string, FakeListerWatcher<KubeObject>>();
    const factory = new InformerFactory((resource, scope) => {
      made.push(`${resource}|${scope.namespace}|${scope.labelSelector}`);
      const lw = new FakeListerWatcher<KubeObject>();
      lws.set(resource, lw);
      return lw;
    });
    toStop.push(factory);
    const a = factory.informerFor('pods');
    const b = factory.informerFor('pods');
    const c = factory.informerFor('pods', { namespace: 'kube-system' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(made).toEqual(['pods||', 'pods|kube-system|']);
    factory.start();
    expect(await factory.waitForSync()).toBe(true);
    // Asked for after start: starts at once.
    const late = factory.informerFor('nodes');
    expect(late.isStarted).toBe(true);
    expect(await late.waitForSync()).toBe(true);
    expect(a.indexer.listIndexValues('nodeName')).toEqual([]);
  });
});
