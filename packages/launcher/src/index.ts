export * from './ports.js';
export * from './wait.js';
export * from './etcd.js';
export * from './component.js';
export * from './etcd-container.js';
export * from './host.js';
export * from './network.js';
export * from './etcd-cluster.js';
