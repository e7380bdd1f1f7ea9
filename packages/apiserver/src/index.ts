export { startApiServer, type ApiServerOptions, type RunningApiServer } from './server.js';
export { GIT_VERSION } from './version.js';
export { DEFAULT_SERVICE_CLUSTER_IP_RANGE, DEFAULT_SERVICE_NODE_PORT_RANGE } from './allocator/allocator.js';
