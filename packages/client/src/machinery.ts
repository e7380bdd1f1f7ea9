// The client-go machinery over the typed Client: caches, informers, work queues,
// leader election, events and logging.
export * from './log.js';
export * from './util/clock.js';
export * from './util/backoff.js';
export * from './cache/store.js';
export * from './cache/listerwatcher.js';
export * from './cache/reflector.js';
export * from './cache/informer.js';
export * from './cache/factory.js';
export * from './workqueue/ratelimiter.js';
export * from './workqueue/queue.js';
export * from './leaderelection/decide.js';
export * from './leaderelection/elector.js';
export * from './events/correlator.js';
export * from './events/recorder.js';
export * from './cache/fake.js';
export * from './util/wait.js';
