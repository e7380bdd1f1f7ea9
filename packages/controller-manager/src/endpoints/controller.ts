// The Endpoints controller: keeps one Endpoints object per Service with a selector, named
// like the Service, listing the ready and not-ready addresses of the pods it selects.
// Informers on Services, Pods and Endpoints feed Service keys ("namespace/name") to the
// queue; reconcile computes the subsets from the caches (subsets.ts) and writes only when
// they differ. Services without a selector are left to hand-written Endpoints.
import { deepCopy, isAlreadyExists, isNotFound, objectKey, splitKey, type Endpoints, type Pod, type Service } from '@kubesim/api';
import { deletedObject, type DeletedFinalStateUnknown, type Logger, type SharedIndexInformer } from '@kubesim/client';
import type { Controller, ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { LEADER_ANNOTATION, computeSubsets, endpointsLabels, labelsEqual, managesEndpoints, selectsPod, subsetsEqual } from './subsets.js';

export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  readonly informers: SharedIndexInformer[];
  private readonly svcInformer: SharedIndexInformer<Service>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly epInformer: SharedIndexInformer<Endpoints>;
  private readonly log: Logger;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger;
    this.svcInformer = ctx.informers.informerFor('services');
    this.podInformer = ctx.informers.informerFor('pods');
    this.epInformer = ctx.informers.informerFor('endpoints');
    this.informers = [this.svcInformer, this.podInformer, this.epInformer] as unknown as SharedIndexInformer[];
    this.svcInformer.addEventHandler({
      onAdd: (svc) => this.enqueue(svc),
      onUpdate: (_old, svc) => this.enqueue(svc),
      onDelete: (obj) => this.enqueue(deletedObject(obj)),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.enqueueServicesOf(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (obj) => this.enqueueServicesOf(deletedObject(obj)),
    });
    this.epInformer.addEventHandler({
      // The first list is Kubernetes' checkLeftoverEndpoints: Endpoints whose Service went
      // away while no controller ran get looked at (and deleted) once.
      onAdd: (ep, initial) => {
        if (initial && !ep.metadata?.annotations?.[LEADER_ANNOTATION]) this.enqueue(ep);
      },
      // Someone edited or deleted Endpoints the controller manages: put them right again.
      onUpdate: (old, ep) => {
        if (old.metadata?.resourceVersion !== ep.metadata?.resourceVersion) this.enqueue(ep);
      },
      onDelete: (obj: Endpoints | DeletedFinalStateUnknown<Endpoints>) => this.enqueue(deletedObject(obj)),
    });
  }

  private enqueue(obj: Service | Endpoints): void {
    this.ctx.queue.add(objectKey(obj));
  }

  private servicesSelecting(pod: Pod): Service[] {
    return this.svcInformer.indexer.listNamespace(pod.metadata?.namespace ?? '').filter((svc) => selectsPod(svc, pod));
  }

  private enqueueServicesOf(pod: Pod): void {
    for (const svc of this.servicesSelecting(pod)) this.enqueue(svc);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    // A resync brings nothing new.
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const keys = new Set(this.servicesSelecting(pod).map(objectKey));
    // Services that selected the pod before its labels changed must drop it.
    for (const svc of this.servicesSelecting(old)) keys.add(objectKey(svc));
    for (const k of keys) this.ctx.queue.add(k);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const svc = this.svcInformer.indexer.get(key);
    if (!svc) {
      // The Service is gone: its Endpoints go too (as Kubernetes does, whoever wrote them).
      try {
        await this.ctx.client.delete('endpoints', namespace, name);
        this.log.info({ endpoints: key }, `deleted Endpoints ${key} of deleted Service`);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    // ExternalName and selector-less Services get no Endpoints from here; hand-written
    // ones are never created, overwritten or deleted while the Service exists.
    if (!managesEndpoints(svc)) return;

    const pods = this.podInformer.indexer.listNamespace(namespace).filter((p) => selectsPod(svc, p));
    const subsets = computeSubsets(svc, pods);
    const labels = endpointsLabels(svc);
    const current = this.epInformer.indexer.get(key);
    if (current && subsetsEqual(current.subsets, subsets) && labelsEqual(current.metadata?.labels, labels)) return;

    const counts = subsets.reduce((n, s) => ({ ready: n.ready + (s.addresses?.length ?? 0), notReady: n.notReady + (s.notReadyAddresses?.length ?? 0) }), { ready: 0, notReady: 0 });
    if (!current) {
      const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets };
      try {
        await this.ctx.client.create(ep);
      } catch (err) {
        // Created meanwhile (our own earlier write not yet in the cache): retry on the newer state.
        if (!isAlreadyExists(err)) this.ctx.recorder.event(ep, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${key}: ${(err as Error).message}`);
        throw err;
      }
      this.log.info({ endpoints: key, ...counts }, `created Endpoints ${key}`);
      return;
    }
    const next: Endpoints = { ...deepCopy(current), subsets };
    next.metadata = { ...next.metadata, labels };
    try {
      await this.ctx.client.update(next);
    } catch (err) {
      // A conflict means the cache was stale: the retry sees the newer object.
      if (isNotFound(err)) {
        this.ctx.queue.add(key);
        return;
      }
      this.ctx.recorder.event(current, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${(err as Error).message}`);
      throw err;
    }
    this.log.info({ endpoints: key, ...counts }, `updated Endpoints ${key}`);
  }
}
