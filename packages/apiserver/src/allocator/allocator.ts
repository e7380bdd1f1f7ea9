// ClusterIP and NodePort allocation, kept in etcd: one key per allocated value
// (/registry/ranges/serviceips/<ip>, /registry/ranges/servicenodeports/<port>), created
// in the same transaction as the Service write that takes it (guarded by
// createRevision == 0) and deleted in the same transaction as the write that gives it
// up. So a crash never leaks a value nor hands one out twice, whatever the number of
// apiservers: a lost race shows up as a failed compare and the write picks again.
// The local view of what is taken only guides the choice of candidates.
import { StatusError, invalid, type FieldError, type Service } from '@kubesim/api';
import { cmp, op, type Compare, type RequestOp, type ResponseOp, type Store } from '../storage/store.js';
import { ipOffset, parseIPRange, parsePortRange, pickIP, pickPort, portInRange, type IPRange, type PortRange } from './range.js';
import { assignsNodePorts, heldValues, needsClusterIP, needsHealthCheck } from './service.js';

export const SERVICE_IPS_PREFIX = '/registry/ranges/serviceips/';
export const NODE_PORTS_PREFIX = '/registry/ranges/servicenodeports/';
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
export const DEFAULT_SERVICE_NODE_PORT_RANGE = '30000-32767';

/** How long the local view of taken values is trusted before it is read again. */
const VIEW_MAX_AGE_MS = 30_000;

export const ipKey = (ip: string): string => SERVICE_IPS_PREFIX + ip;
export const portKey = (port: number): string => NODE_PORTS_PREFIX + String(port);

/** What this apiserver believes is taken under one prefix: read from etcd, then kept up as it writes. */
class TakenView {
  private readonly taken = new Set<string>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
  ) {}

  async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt < VIEW_MAX_AGE_MS) return;
    await this.reload();
  }

  reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const keys = await this.store.keys(this.prefix);
        // Values picked but not yet written by writes in flight here stay taken.
        const pending = [...this.pending];
        this.taken.clear();
        for (const key of keys) this.taken.add(key.slice(this.prefix.length));
        for (const v of pending) this.taken.add(v);
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** Picked by a write still in flight. */
  readonly pending = new Set<string>();

  has(v: string): boolean {
    return this.taken.has(v);
  }
  add(v: string): void {
    this.taken.add(v);
  }
  delete(v: string): void {
    this.taken.delete(v);
  }
}

interface Slot {
  kind: 'ip' | 'port';
  /** The field a refusal names. */
  field: string;
  value: string;
  requested: boolean;
}

export interface ServiceAllocatorOptions {
  /** The ClusterIP CIDR (default 10.96.0.0/16), as --service-cluster-ip-range. */
  serviceClusterIPRange?: string;
  /** The NodePort range (default 30000-32767), as --service-node-port-range. */
  serviceNodePortRange?: string;
}

export class ServiceAllocator {
  readonly ipRange: IPRange;
  readonly portRange: PortRange;
  /** @internal */
  readonly ips: TakenView;
  /** @internal */
  readonly ports: TakenView;

  constructor(
    readonly store: Store,
    opts: ServiceAllocatorOptions = {},
  ) {
    this.ipRange = parseIPRange(opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE);
    this.portRange = parsePortRange(opts.serviceNodePortRange ?? DEFAULT_SERVICE_NODE_PORT_RANGE);
    this.ips = new TakenView(store, SERVICE_IPS_PREFIX);
    this.ports = new TakenView(store, NODE_PORTS_PREFIX);
  }

  /**
   * Starts the allocation for one write of `svc` (in place: missing values are filled in),
   * `old` being the stored Service on update. Throws Invalid for requested values out of
   * range.
   */
  async begin(svc: Service, old: Service | undefined): Promise<Allocation> {
    await Promise.all([this.ips.fresh(), this.ports.fresh()]);
    const a = new Allocation(this, svc, old);
    await a.assign();
    return a;
  }

  /** The etcd ops that give up everything a removed Service held. */
  releaseOps(svc: Service): RequestOp[] {
    const held = heldValues(svc);
    return [...held.ips.map((ip) => op.del(ipKey(ip))), ...held.ports.map((p) => op.del(portKey(p)))];
  }

  /** After a Service was removed with `releaseOps`: its values are free again here too. */
  released(svc: Service): void {
    const held = heldValues(svc);
    for (const ip of held.ips) this.ips.delete(ip);
    for (const p of held.ports) this.ports.delete(String(p));
  }
}

/** One write's allocation: what it takes and gives up, as parts of the write's transaction. */
export class Allocation {
  private slots: Slot[] = [];
  private releases: { kind: 'ip' | 'port'; value: string }[] = [];

  constructor(
    private readonly alloc: ServiceAllocator,
    private readonly svc: Service,
    private readonly old: Service | undefined,
  ) {}

  private view(kind: 'ip' | 'port'): TakenView {
    return kind === 'ip' ? this.alloc.ips : this.alloc.ports;
  }

  private key(s: { kind: 'ip' | 'port'; value: string }): string {
    return s.kind === 'ip' ? ipKey(s.value) : portKey(Number(s.value));
  }

  /** Decides every value: requested ones are checked against the range, missing ones picked. */
  async assign(): Promise<void> {
    const spec = (this.svc.spec ??= {});
    // clusterIPs alone is a request too: its first entry is the clusterIP.
    if (!spec.clusterIP && spec.clusterIPs?.[0] && spec.type !== 'ExternalName') spec.clusterIP = spec.clusterIPs[0];
    const held = this.old ? heldValues(this.old) : { ips: [], ports: [] };
    const heldPorts = new Set(held.ports);
    const errors: FieldError[] = [];
    const ipRange = this.alloc.ipRange;
    const portRange = this.alloc.portRange;

    if (needsClusterIP(this.svc)) {
      const ip = spec.clusterIP;
      if (ip) {
        if (!held.ips.includes(ip)) {
          if (ipOffset(ipRange, ip) === undefined) {
            errors.push({
              type: 'Invalid value',
              field: 'spec.clusterIPs',
              value: [ip],
              detail: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ipRange.cidr}`,
            });
          } else this.slots.push({ kind: 'ip', field: 'spec.clusterIPs', value: ip, requested: true });
        }
      } else {
        this.slots.push({ kind: 'ip', field: 'spec.clusterIPs', value: '', requested: false });
      }
    }

    const ports = spec.ports ?? [];
    const mine = new Set<number>(heldPorts);
    const requestPort = (port: number, field: string) => {
      if (mine.has(port)) return;
      mine.add(port);
      if (!portInRange(portRange, port)) {
        errors.push({ type: 'Invalid value', field, value: port, detail: `provided port is not in the valid range. The range of valid ports is ${portRange.text}` });
      } else this.slots.push({ kind: 'port', field, value: String(port), requested: true });
    };
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      ports.forEach((p, i) => {
        if (p.nodePort) requestPort(p.nodePort, `spec.ports[${i}].nodePort`);
      });
    }
    if (needsHealthCheck(this.svc) && spec.healthCheckNodePort) requestPort(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
    if (errors.length) throw invalid('Service', this.svc.metadata?.name ?? '', errors);

    if (assignsNodePorts(this.svc)) {
      const picking = new Set<number | undefined>();
      ports.forEach((p, i) => {
        if (p.nodePort) return;
        // The same port number over another protocol shares its node port, as in Kubernetes
        // (apply() hands a picked value to the twins).
        const twin = ports.find((q) => q !== p && q.port === p.port && q.nodePort);
        if (twin?.nodePort) p.nodePort = twin.nodePort;
        else if (!picking.has(p.port)) {
          picking.add(p.port);
          this.slots.push({ kind: 'port', field: `spec.ports[${i}].nodePort`, value: '', requested: false });
        }
      });
    }
    if (needsHealthCheck(this.svc) && !spec.healthCheckNodePort) this.slots.push({ kind: 'port', field: 'spec.healthCheckNodePort', value: '', requested: false });

    await this.pick(mine);
    this.computeReleases();
  }

  /** Fills every unpicked automatic slot with a value free in the local view. */
  private async pick(mine: Set<number>): Promise<void> {
    for (const s of this.slots) {
      if (s.requested || s.value) continue;
      const view = this.view(s.kind);
      const taken = (v: string) => view.has(v) || view.pending.has(v) || (s.kind === 'port' && mine.has(Number(v)));
      let v = this.candidate(s.kind, taken);
      if (v === undefined) {
        // The view may miss values other apiservers gave back: read it again before giving up.
        await view.reload();
        v = this.candidate(s.kind, taken);
      }
      if (v === undefined) {
        throw new StatusError('InternalError', `Internal error occurred: failed to allocate a ${s.kind === 'ip' ? 'serviceIP' : 'nodePort'}: range is full`);
      }
      s.value = v;
      view.pending.add(v);
      if (s.kind === 'port') mine.add(Number(v));
      this.apply(s);
    }
  }

  private candidate(kind: 'ip' | 'port', taken: (v: string) => boolean): string | undefined {
    if (kind === 'ip') return pickIP(this.alloc.ipRange, taken);
    const p = pickPort(this.alloc.portRange, (n) => taken(String(n)));
    return p === undefined ? undefined : String(p);
  }

  /** Writes a picked value into the Service. */
  private apply(s: Slot): void {
    const spec = (this.svc.spec ??= {});
    if (s.kind === 'ip') {
      spec.clusterIP = s.value;
      spec.clusterIPs = [s.value];
      return;
    }
    if (s.field === 'spec.healthCheckNodePort') {
      spec.healthCheckNodePort = Number(s.value);
      return;
    }
    const i = Number(/\[(\d+)\]/.exec(s.field)?.[1]);
    const ports = spec.ports ?? [];
    const target = ports[i];
    target.nodePort = Number(s.value);
    for (const q of ports) if (q !== target && q.port === target.port && !q.nodePort) q.nodePort = target.nodePort;
  }

  private computeReleases(): void {
    const spec = this.svc.spec ?? {};
    if (needsClusterIP(this.svc) && spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    if (!this.old) return;
    const was = heldValues(this.old);
    const now = heldValues(this.svc);
    this.releases = [
      ...was.ips.filter((ip) => !now.ips.includes(ip)).map((value) => ({ kind: 'ip' as const, value })),
      ...was.ports.filter((p) => !now.ports.includes(p)).map((p) => ({ kind: 'port' as const, value: String(p) })),
    ];
  }

  private owner(): Buffer {
    const m = this.svc.metadata ?? {};
    return Buffer.from(JSON.stringify({ kind: 'Service', namespace: m.namespace, name: m.name, uid: m.uid }));
  }

  /** Compares that the values taken are still free. */
  compares(): Compare[] {
    return this.slots.map((s) => cmp.absent(this.key(s)));
  }

  /** Writes that take the new values and give up the released ones. */
  ops(): RequestOp[] {
    const owner = this.owner();
    return [...this.slots.map((s) => op.put(this.key(s), owner)), ...this.releases.map((r) => op.del(this.key(r)))];
  }

  /** Reads, on the failure branch, that tell which values were taken meanwhile. */
  checks(): RequestOp[] {
    return this.slots.map((s) => op.get(this.key(s)));
  }

  /**
   * After the transaction failed: `responses` are the answers of `checks()`. A requested
   * value now taken is Invalid; a picked one is marked taken and picked again. True when
   * some value was taken (the write must be tried again).
   */
  async failed(responses: ResponseOp[]): Promise<boolean> {
    const errors: FieldError[] = [];
    let lost = false;
    this.slots.forEach((s, i) => {
      if (!responses[i]?.response_range?.kvs?.length) return;
      lost = true;
      const view = this.view(s.kind);
      view.add(s.value);
      if (!s.requested) {
        view.pending.delete(s.value);
        s.value = '';
        return;
      }
      errors.push(
        s.kind === 'ip'
          ? { type: 'Invalid value', field: s.field, value: [s.value], detail: `failed to allocate IP ${s.value}: provided IP is already allocated` }
          : { type: 'Invalid value', field: s.field, value: Number(s.value), detail: 'provided port is already allocated' },
      );
    });
    if (errors.length) {
      this.abandon();
      throw invalid('Service', this.svc.metadata?.name ?? '', errors);
    }
    if (lost) {
      const mine = new Set<number>(this.slots.filter((s) => s.kind === 'port' && s.value).map((s) => Number(s.value)));
      for (const p of this.old ? heldValues(this.old).ports : []) mine.add(p);
      // Ports that shared a lost value are picked again with it.
      for (const p of this.svc.spec?.ports ?? []) if (p.nodePort && !mine.has(p.nodePort) && !this.slots.some((s) => s.requested && Number(s.value) === p.nodePort)) delete p.nodePort;
      await this.pick(mine);
      this.computeReleases();
    }
    return lost;
  }

  /** The write landed: the local view follows. */
  committed(): void {
    for (const s of this.slots) {
      const view = this.view(s.kind);
      view.pending.delete(s.value);
      view.add(s.value);
    }
    for (const r of this.releases) this.view(r.kind).delete(r.value);
  }

  /** The write will not happen: values picked for it are free again. */
  abandon(): void {
    for (const s of this.slots) if (!s.requested && s.value) this.view(s.kind).pending.delete(s.value);
  }
}
