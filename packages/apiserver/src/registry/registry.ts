// The verbs of the API over etcd: each write is one etcd transaction guarded by the
// revision it was computed from, so nothing is ever half-written and concurrent writers
// either win cleanly or get a Conflict (or, for unconditional writes, retry).
import { randomUUID } from 'node:crypto';
import {
  DecodeError,
  StatusError,
  alreadyExists,
  applyMergePatch,
  badRequest,
  conflict,
  decodeObject,
  forbidden,
  groupOf,
  invalid,
  notFound,
  nowTimestamp,
  parseFieldSelector,
  parseLabelSelector,
  resolveResource,
  resourceForKind,
  type Binding,
  type DeleteRequest,
  type DeleteResponse,
  type KubeObject,
  type ListRequest,
  type ListResponse,
  type Namespace,
  type PatchRequest,
  type Pod,
  type ResourceInfo,
  type Service,
} from '@kubesim/api';
import type { Logger } from 'pino';
import type { Allocation, ServiceAllocator } from '../allocator/allocator.js';
import { carryOverAllocations } from '../allocator/service.js';
import type { LeaseManager } from '../storage/leases.js';
import { objectKey, resourcePrefix } from '../storage/keys.js';
import { cmp, encodeValue, op, rangeResult, type Store, type StoredObject } from '../storage/store.js';
import type { WatchCache } from '../watch/cache.js';
import { makePredicate } from '../watch/filter.js';
import { checkSize, validate, withDefaults } from './admission.js';
import { addDefaultTolerations, type DefaultTolerationSettings } from './default-tolerations.js';
import { applyBinding } from './binding.js';
import { planDelete, checkPreconditions } from './deletion.js';
import { deepEqual } from './equal.js';
import { prepareForCreate, prepareForUpdate, removeOnUpdate, type UpdateMode } from './meta.js';
import { generateName } from './names.js';
import { RecentObjects } from './recent.js';

export interface RegistryOptions {
  maxObjectBytes: number;
  logger: Logger;
  /** ClusterIP/NodePort allocation for Services; without it Services get none. */
  services?: ServiceAllocator;
  /** DefaultTolerationSeconds admission (--default-not-ready/unreachable-toleration-seconds). */
  defaultTolerations?: DefaultTolerationSettings;
}

/** Namespaces that always exist and cannot be deleted. */
export const UNDELETABLE_NAMESPACES = ['default', 'kube-system'];

const MAX_RETRIES = 50;
/** Pods awaiting their Bind that are kept in memory (a scheduler backlog of this many binds reads nothing). */
const UNBOUND_PODS_REMEMBERED = 4096;
const NAMESPACE_INFO = resourceForKind('Namespace');

function nsOrDefault(info: ResourceInfo, ns: string | undefined): string {
  return info.namespaced ? ns || 'default' : '';
}

function isLeaseNotFound(err: unknown): boolean {
  return err instanceof Error && /lease not found/i.test(err.message);
}

function withoutRv(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  void _rv;
  return { ...obj, metadata: meta };
}

interface Continue {
  rv: number;
  start: string;
}

function encodeContinue(c: Continue): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeContinue(token: string, prefix: string): Continue {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString()) as Continue;
    if (typeof c.rv === 'number' && typeof c.start === 'string' && c.start.startsWith(prefix)) return c;
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: the token does not belong to this list');
}

export class Registry {
  private readonly log: Logger;
  /** Pods created here and not yet bound: what Bind needs, without reading it back. */
  private readonly unboundPods = new RecentObjects(UNBOUND_PODS_REMEMBERED);

  constructor(
    private readonly store: Store,
    private readonly cache: WatchCache,
    private readonly leases: LeaseManager,
    private readonly opts: RegistryOptions,
  ) {
    this.log = opts.logger;
  }

  /** The resource behind any name kubectl accepts; NotFound as kubectl words it otherwise. */
  resource(name: string | undefined): ResourceInfo {
    const info = name ? resolveResource(name) : undefined;
    if (!info || info.virtual) throw new StatusError('NotFound', `the server doesn't have a resource type "${name ?? ''}"`);
    return info;
  }

  private infoForObject(obj: KubeObject | undefined): ResourceInfo {
    if (!obj) throw badRequest('the request carries no object');
    const info = obj.kind ? resourceForKind(obj.kind) : undefined;
    if (!info) throw badRequest(`no kind "${obj.kind ?? ''}" is registered`);
    return info;
  }

  private lease(info: ResourceInfo): Promise<string> | undefined {
    return info.kind === 'Event' ? this.leases.lease() : undefined;
  }

  private logWrite(verb: string, info: ResourceInfo, namespace: string, name: string, extra: Record<string, unknown> = {}): void {
    // Heartbeats (leases, node status) and events would drown everything else at info.
    const chatty = info.kind === 'Lease' || info.kind === 'Event' || (verb === 'update-status' && info.kind === 'Node');
    const level = chatty ? 'debug' : 'info';
    if (!this.log.isLevelEnabled(level)) return;
    this.log[level]({ verb, resource: info.plural, namespace: namespace || undefined, name, ...extra }, `${verb} ${info.plural} ${namespace ? namespace + '/' : ''}${name}`);
  }

  /** The namespace's mod revision if objects may be created in it; else NotFound/Forbidden. */
  private async liveNamespace(info: ResourceInfo, ns: string, name: string, fresh?: StoredObject | null): Promise<number> {
    let found: { obj: Namespace; modRevision: number } | undefined;
    if (fresh !== undefined) {
      found = fresh ? { obj: fresh.obj as Namespace, modRevision: fresh.modRevision } : undefined;
    } else {
      found = this.cache.namespaces.get(ns);
      if (!found) {
        // The cache may not have seen a namespace created a moment ago.
        const { stored } = await this.store.get(objectKey(NAMESPACE_INFO, '', ns));
        if (stored) found = { obj: stored.obj as Namespace, modRevision: stored.modRevision };
      }
    }
    if (!found) throw notFound('namespaces', ns);
    if (found.obj.metadata?.deletionTimestamp || found.obj.status?.phase === 'Terminating') {
      throw forbidden(`${info.plural} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
    }
    return found.modRevision;
  }

  // ---------- create ----------

  async create(input: KubeObject | undefined, dryRun = false): Promise<KubeObject> {
    const info = this.infoForObject(input);
    let obj = input as KubeObject;
    if (info.kind === 'Binding') {
      const b = obj as Binding;
      await this.bind(b, dryRun);
      return b;
    }
    const meta = (obj.metadata ??= {});
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (info.namespaced) meta.namespace ||= 'default';
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generateName(meta.generateName as string);
    if (!meta.name) {
      throw invalid(info.kind, '', [{ type: 'Required value', field: 'metadata.name', detail: 'name or generateName is required' }], groupOf(info));
    }
    obj = withDefaults(obj);
    if (info.kind === 'Pod') addDefaultTolerations(obj as Pod, this.opts.defaultTolerations);
    const uid = randomUUID();
    prepareForCreate(obj, info, nowTimestamp(), uid);
    validate(info, obj, undefined);
    const ns = obj.metadata?.namespace ?? '';
    const alloc = info.kind === 'Service' && this.opts.services ? await this.opts.services.begin(obj as Service, undefined) : undefined;
    // One serialization serves the size check and the etcd value (again only after a rename).
    let value = encodeValue(obj);
    checkSize(info, obj, value, this.opts.maxObjectBytes);
    if (dryRun) {
      alloc?.abandon();
      return obj;
    }
    let done = false;
    try {
      const created = await this.createLoop(info, obj, value, ns, uid, generated, alloc);
      done = true;
      return created;
    } finally {
      if (!done) alloc?.abandon();
    }
  }

  private async createLoop(info: ResourceInfo, obj: KubeObject, value: Buffer, ns: string, uid: string, generated: boolean, alloc: Allocation | undefined): Promise<KubeObject> {
    let nsFresh: StoredObject | null | undefined;
    for (let attempt = 0; ; attempt++) {
      if (attempt > MAX_RETRIES) throw new StatusError('InternalError', `could not create ${info.plural} "${obj.metadata?.name}": too many concurrent changes`);
      const name = obj.metadata?.name as string;
      const key = objectKey(info, ns, name);
      const nsKey = objectKey(NAMESPACE_INFO, '', ns);
      const compares = [cmp.absent(key)];
      if (info.namespaced) compares.push(cmp.modRevision(nsKey, await this.liveNamespace(info, ns, name, nsFresh)));
      const reads = info.namespaced ? [op.get(key), op.get(nsKey)] : [op.get(key)];
      let res;
      try {
        res = await this.store.txn(
          [...compares, ...(alloc?.compares() ?? [])],
          [op.put(key, value, await this.lease(info)), ...(alloc?.ops() ?? [])],
          [...reads, ...(alloc?.checks() ?? [])],
        );
      } catch (err) {
        if (isLeaseNotFound(err)) {
          this.leases.invalidate();
          continue;
        }
        throw err;
      }
      if (res.succeeded) {
        alloc?.committed();
        obj.metadata = { ...obj.metadata, resourceVersion: String(res.revision) };
        if (info.kind === 'Pod' && !(obj as Pod).spec?.nodeName) this.unboundPods.remember(key, { obj, modRevision: res.revision, createRevision: res.revision });
        this.logWrite('create', info, ns, name);
        return obj;
      }
      const existing = rangeResult(res.responses[0]);
      if (existing) {
        // An earlier attempt of this very request may have landed before its answer was lost.
        if (existing.obj.metadata?.uid === uid) return existing.obj;
        if (generated && attempt < 8) {
          obj.metadata = { ...obj.metadata, name: generateName(obj.metadata?.generateName as string) };
          value = encodeValue(obj);
          continue;
        }
        throw alreadyExists(info.plural, name, groupOf(info));
      }
      // A value taken meanwhile: refused if it was asked for, else picked again.
      if (alloc && (await alloc.failed(res.responses.slice(reads.length)))) {
        value = encodeValue(obj);
        continue;
      }
      // The namespace changed since we looked: decide again on its current state.
      nsFresh = rangeResult(res.responses[1]) ?? null;
    }
  }

  // ---------- read ----------

  async get(resource: string | undefined, namespace: string | undefined, name: string | undefined): Promise<KubeObject> {
    const info = this.resource(resource);
    if (!name) throw badRequest('resource name may not be empty');
    const ns = nsOrDefault(info, namespace);
    const { stored } = await this.store.get(objectKey(info, ns, name));
    if (!stored) throw notFound(info.plural, name, groupOf(info));
    this.log.debug({ verb: 'get', resource: info.plural, namespace: ns || undefined, name }, 'get');
    return stored.obj;
  }

  async list(req: ListRequest): Promise<ListResponse> {
    const info = this.resource(req.resource);
    const ns = info.namespaced ? req.namespace ?? '' : '';
    const predicate = makePredicate({
      namespace: ns,
      labels: req.labelSelector ? parseLabelSelector(req.labelSelector) : [],
      fields: req.fieldSelector ? parseFieldSelector(req.fieldSelector, info.kind) : [],
    });
    const prefix = resourcePrefix(info, ns);
    const limit = req.limit && req.limit > 0 ? req.limit : 0;
    let revision = 0;
    let start = prefix;
    if (req.continue) {
      const c = decodeContinue(req.continue, prefix);
      revision = c.rv;
      start = c.start;
    }
    const items: KubeObject[] = [];
    let nextStart = '';
    try {
      for (;;) {
        // Read only as many keys as could still fit; with a selector, read on until full.
        const page = await this.store.range(prefix, { revision, startKey: start, limit: limit ? limit - items.length : 0 });
        if (!revision) revision = page.revision;
        for (const s of page.items) if (predicate(s.obj)) items.push(s.obj);
        if (!page.more || !page.lastKey) break;
        start = page.lastKey + '\x00';
        if (limit && items.length >= limit) {
          nextStart = start;
          break;
        }
      }
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'Expired' && req.continue) {
        throw new StatusError('Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      throw err;
    }
    this.log.debug({ verb: 'list', resource: info.plural, namespace: ns || undefined, count: items.length }, 'list');
    const out: ListResponse = { resourceVersion: String(revision), items };
    if (nextStart) out.continue = encodeContinue({ rv: revision, start: nextStart });
    return out;
  }

  // ---------- update ----------

  /**
   * Read-modify-write of one object. `produce` builds the wanted object from the stored
   * one; with `expectRv` the write must apply to exactly that version (else Conflict),
   * without it a lost race just means trying again on the newer version.
   */
  private async guardedUpdate(
    info: ResourceInfo,
    ns: string,
    name: string,
    expectRv: string,
    mode: UpdateMode,
    dryRun: boolean,
    produce: (stored: StoredObject) => KubeObject,
  ): Promise<KubeObject> {
    const key = objectKey(info, ns, name);
    for (let attempt = 0; ; attempt++) {
      if (attempt > MAX_RETRIES) throw conflict(info.plural, name, 'too many concurrent changes; please try again', groupOf(info));
      const { stored } = await this.store.get(key);
      if (!stored) throw notFound(info.plural, name, groupOf(info));
      if (expectRv && expectRv !== String(stored.modRevision)) throw conflict(info.plural, name, undefined, groupOf(info));
      let next = produce(stored);
      if (mode === 'update') next = withDefaults(next);
      const { obj, errors } = prepareForUpdate(next, stored.obj, info, mode);
      const services = info.kind === 'Service' && mode === 'update' ? this.opts.services : undefined;
      if (services) carryOverAllocations(obj as Service, stored.obj as Service);
      validate(info, obj, stored.obj, errors);
      const remove = removeOnUpdate(obj, stored.obj);
      // The last finalizer gone: the Service goes, and with it what it held.
      const alloc = services && !remove ? await services.begin(obj as Service, stored.obj as Service) : undefined;
      const releases = remove && info.kind === 'Service' && this.opts.services ? this.opts.services.releaseOps(stored.obj as Service) : [];
      const value = encodeValue(obj);
      try {
        checkSize(info, obj, value, this.opts.maxObjectBytes);
      } catch (err) {
        alloc?.abandon();
        throw err;
      }
      if ((!remove && deepEqual(withoutRv(obj), withoutRv(stored.obj))) || dryRun) {
        alloc?.abandon();
        return dryRun ? obj : stored.obj;
      }
      let res;
      try {
        const lease = remove ? undefined : await this.lease(info);
        res = await this.store.txn(
          [cmp.modRevision(key, stored.modRevision), ...(alloc?.compares() ?? [])],
          [remove ? op.del(key) : op.put(key, value, lease), ...(alloc?.ops() ?? []), ...releases],
          alloc?.checks() ?? [],
        );
      } catch (err) {
        alloc?.abandon();
        if (isLeaseNotFound(err)) {
          this.leases.invalidate();
          continue;
        }
        throw err;
      }
      if (!res.succeeded && alloc) {
        // Refuses a requested value now taken; a picked one is simply picked again next round.
        const lost = await alloc.failed(res.responses);
        alloc.abandon();
        if (lost) continue;
      }
      if (res.succeeded) {
        alloc?.committed();
        if (remove && releases.length) this.opts.services?.released(stored.obj as Service);
        obj.metadata = { ...obj.metadata, resourceVersion: String(res.revision) };
        this.logWrite(remove ? 'delete' : mode === 'status' ? 'update-status' : 'update', info, ns, name, remove ? { reason: 'last finalizer removed' } : {});
        return obj;
      }
      if (expectRv) throw conflict(info.plural, name, undefined, groupOf(info));
    }
  }

  async update(input: KubeObject | undefined, mode: UpdateMode, dryRun = false): Promise<KubeObject> {
    const info = this.infoForObject(input);
    if (info.virtual) throw new StatusError('MethodNotAllowed', `${info.plural} cannot be updated`);
    if (mode === 'status' && !info.hasStatus) throw new StatusError('NotFound', `the server could not find the requested resource (${info.plural}/status)`);
    const obj = input as KubeObject;
    const name = obj.metadata?.name;
    if (!name) throw invalid(info.kind, '', [{ type: 'Required value', field: 'metadata.name', detail: 'name is required' }], groupOf(info));
    const ns = nsOrDefault(info, obj.metadata?.namespace);
    const expectRv = obj.metadata?.resourceVersion ?? '';
    return this.guardedUpdate(info, ns, name, expectRv, mode, dryRun, (stored) => {
      const next = structuredClone(obj);
      next.metadata = { ...next.metadata, namespace: ns || undefined, resourceVersion: String(stored.modRevision) };
      if (!ns) delete next.metadata.namespace;
      return next;
    });
  }

  async patch(req: PatchRequest): Promise<KubeObject> {
    const info = this.resource(req.resource);
    const name = req.name;
    if (!name) throw badRequest('resource name may not be empty');
    const ns = nsOrDefault(info, req.namespace);
    if (req.patchType && req.patchType !== 'merge') throw badRequest(`unsupported patch type "${req.patchType}": only "merge" (RFC 7386) is supported`);
    const sub = req.subresource ?? '';
    if (sub !== '' && sub !== 'status') throw new StatusError('NotFound', `the server could not find the requested resource (${info.plural}/${sub})`);
    if (sub === 'status' && !info.hasStatus) throw new StatusError('NotFound', `the server could not find the requested resource (${info.plural}/status)`);
    let patch: unknown;
    try {
      patch = JSON.parse(req.patch ?? '');
    } catch (err) {
      throw badRequest(`the patch is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('a merge patch must be a JSON object');
    const pm = (patch as { metadata?: { resourceVersion?: unknown } }).metadata;
    const expectRv = typeof pm?.resourceVersion === 'string' ? pm.resourceVersion : '';
    return this.guardedUpdate(info, ns, name, expectRv, sub === 'status' ? 'status' : 'update', !!req.dryRun, (stored) => {
      const merged = applyMergePatch(stored.obj, patch) as KubeObject;
      const m = merged?.metadata;
      if (m?.name !== name) throw badRequest(`the name of the object (${m?.name ?? ''}) does not match the name on the URL (${name})`);
      if (info.namespaced && (m?.namespace ?? '') !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      if (merged.kind !== info.kind || merged.apiVersion !== info.apiVersion) throw badRequest(`a patch may not change apiVersion/kind (${info.apiVersion}, ${info.kind})`);
      let decoded: KubeObject;
      try {
        decoded = decodeObject(merged);
      } catch (err) {
        if (err instanceof DecodeError) throw badRequest(`the patched ${info.kind} is not valid: ${err.message}`);
        throw err;
      }
      decoded.metadata = { ...decoded.metadata, resourceVersion: String(stored.modRevision) };
      return decoded;
    });
  }

  // ---------- delete ----------

  async delete(req: DeleteRequest): Promise<DeleteResponse> {
    const info = this.resource(req.resource);
    const name = req.name;
    if (!name) throw badRequest('resource name may not be empty');
    const ns = nsOrDefault(info, req.namespace);
    const key = objectKey(info, ns, name);
    if (info.kind === 'Namespace' && UNDELETABLE_NAMESPACES.includes(name)) {
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    for (let attempt = 0; ; attempt++) {
      if (attempt > MAX_RETRIES) throw conflict(info.plural, name, 'too many concurrent changes; please try again', groupOf(info));
      const { stored } = await this.store.get(key);
      if (!stored) throw notFound(info.plural, name, groupOf(info));
      const now = nowTimestamp();
      const plan = info.kind === 'Namespace' ? planNamespaceDelete(info, stored.obj as Namespace, req, now) : planDelete(info, stored.obj, req, now);
      if (plan.action === 'none' || req.dryRun) return { object: plan.obj, removed: plan.action === 'remove' };
      const write = plan.action === 'remove' ? op.del(key) : op.put(key, encodeValue(plan.obj), await this.lease(info));
      // A Service really removed gives back its cluster IP and node ports in the same write.
      const services = plan.action === 'remove' && info.kind === 'Service' ? this.opts.services : undefined;
      const res = await this.store.txn([cmp.modRevision(key, stored.modRevision)], [write, ...(services?.releaseOps(stored.obj as Service) ?? [])]);
      if (!res.succeeded) continue;
      if (plan.action === 'remove') {
        services?.released(stored.obj as Service);
        this.logWrite('delete', info, ns, name);
        return { object: plan.obj, removed: true };
      }
      plan.obj.metadata = { ...plan.obj.metadata, resourceVersion: String(res.revision) };
      this.logWrite('delete', info, ns, name, { deletionTimestamp: plan.obj.metadata.deletionTimestamp, finalizers: plan.obj.metadata.finalizers });
      return { object: plan.obj, removed: false };
    }
  }

  // ---------- binding ----------

  async bind(binding: Binding | undefined, dryRun = false): Promise<Pod> {
    const name = binding?.metadata?.name;
    if (!binding || !name) throw invalid('Binding', '', [{ type: 'Required value', field: 'metadata.name', detail: 'name is required' }]);
    const info = resourceForKind('Pod');
    const ns = binding.metadata?.namespace || 'default';
    binding.metadata = { ...binding.metadata, namespace: ns };
    const key = objectKey(info, ns, name);
    // The pod as this apiserver created it, if it did so a moment ago: a guess that the
    // guarded transaction checks. Only what was read from etcd is trusted to refuse.
    let current: StoredObject | null | undefined = dryRun ? undefined : this.unboundPods.take(key);
    let trusted = false;
    for (let attempt = 0; ; attempt++) {
      if (attempt > MAX_RETRIES) throw conflict('pods/binding', name, 'too many concurrent changes; please try again');
      if (current === undefined) {
        current = (await this.store.get(key)).stored ?? null;
        trusted = true;
      }
      if (!current) throw notFound('pods', name);
      const stored: StoredObject = current;
      let pod: Pod;
      try {
        pod = applyBinding(stored.obj as Pod, binding, nowTimestamp());
      } catch (err) {
        if (trusted) throw err;
        current = undefined;
        continue;
      }
      if (dryRun) return pod;
      // A lost compare reads the pod as it is now, in the same round trip.
      const res = await this.store.txn([cmp.modRevision(key, stored.modRevision)], [op.put(key, encodeValue(pod))], [op.get(key)]);
      if (!res.succeeded) {
        current = rangeResult(res.responses[0]) ?? null;
        trusted = true;
        continue;
      }
      pod.metadata = { ...pod.metadata, resourceVersion: String(res.revision) };
      this.logWrite('bind', info, ns, name, { node: pod.spec?.nodeName });
      return pod;
    }
  }
}

/**
 * Deleting a namespace marks it Terminating; the namespace finalizer then empties and
 * removes it. A namespace without the "kubernetes" finalizer (and no others) goes at once.
 */
export function planNamespaceDelete(info: ResourceInfo, ns: Namespace, req: DeleteRequest, now: string): { action: 'remove' | 'update' | 'none'; obj: Namespace } {
  checkPreconditions(info, ns, req.preconditions);
  if (ns.metadata?.deletionTimestamp) return { action: 'none', obj: ns };
  if (!(ns.spec?.finalizers ?? []).length && !(ns.metadata?.finalizers ?? []).length) return { action: 'remove', obj: ns };
  const obj = structuredClone(ns);
  obj.metadata = { ...obj.metadata, deletionTimestamp: now, deletionGracePeriodSeconds: 0, generation: (obj.metadata?.generation ?? 0) + 1 };
  obj.status = { ...obj.status, phase: 'Terminating' };
  return { action: 'update', obj };
}
