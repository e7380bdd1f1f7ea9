// Every controller the manager knows, in start order, with its name for --controllers.
import type { ControllerDescriptor } from './runtime/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { GarbageCollector } from './garbagecollector/controller.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';

export const CONTROLLERS: readonly ControllerDescriptor[] = [
  { name: 'deployment', component: 'deployment-controller', create: (ctx) => new DeploymentController(ctx) },
  { name: 'replicaset', component: 'replicaset-controller', create: (ctx) => new ReplicaSetController(ctx) },
  { name: 'endpoint', component: 'endpoint-controller', create: (ctx) => new EndpointsController(ctx) },
  { name: 'nodeipam', component: 'node-controller', create: (ctx) => new NodeIpamController(ctx) },
  { name: 'garbagecollector', component: 'garbage-collector-controller', create: (ctx) => new GarbageCollector(ctx) },
];
