export { startApiServer, type ApiServerOptions, type RunningApiServer } from './server.js';
export { GIT_VERSION } from './version.js';
