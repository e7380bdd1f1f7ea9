// Every controller the manager knows, in start order, with its name for --controllers.
import type { ControllerDescriptor } from './runtime/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { GarbageCollector } from './garbagecollector/controller.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { PodGCController } from './podgc/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { TaintEvictionController } from './taintevict/controller.js';

export const CONTROLLERS: readonly ControllerDescriptor[] = [
  { name: 'deployment', component: 'deployment-controller', create: (ctx) => new DeploymentController(ctx) },
  { name: 'replicaset', component: 'replicaset-controller', create: (ctx) => new ReplicaSetController(ctx) },
  { name: 'endpoint', component: 'endpoint-controller', create: (ctx) => new EndpointsController(ctx) },
  { name: 'nodeipam', component: 'node-controller', create: (ctx) => new NodeIpamController(ctx) },
  { name: 'nodelifecycle', component: 'node-controller', create: (ctx) => new NodeLifecycleController(ctx) },
  { name: 'taint-eviction-controller', component: 'taint-eviction-controller', create: (ctx) => new TaintEvictionController(ctx) },
  { name: 'podgc', component: 'pod-garbage-collector', create: (ctx) => new PodGCController(ctx) },
  { name: 'garbagecollector', component: 'garbage-collector-controller', create: (ctx) => new GarbageCollector(ctx) },
];
