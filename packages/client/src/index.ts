export * from './client.js';
export * from './machinery.js';
