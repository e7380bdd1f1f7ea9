// Services and Endpoints.
import type { Endpoints, IntOrString, Service } from '../gen/types.js';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isValidPortName, isValidPortNum } from '../names.js';
import { child, duplicate, forbidden, index, invalid, invalidEach, oneOf, required, type FieldError } from './field.js';
import { validateLabels } from './meta.js';
import { PROTOCOLS } from './pod.js';

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const SESSION_AFFINITIES = ['None', 'ClientIP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const MAX_CLIENT_IP_TIMEOUT = 86400;

function validateTargetPort(tp: IntOrString | undefined, path: string): FieldError[] {
  if (tp === undefined || tp === 0 || tp === '') return []; // defaulted to port
  if (typeof tp === 'string') return invalidEach(path, tp, isValidPortName(tp));
  return invalidEach(path, tp, isValidPortNum(tp));
}

/**
 * A Service's or an Endpoints subset's port name: required when there are several ports,
 * a DNS-1123 label, unique among `seen` (which it joins).
 */
function portNameErrors(path: string, name: string, count: number, seen: Set<string>): FieldError[] {
  if (!name) return count > 1 ? [required(child(path, 'name'))] : [];
  const errs = invalidEach(child(path, 'name'), name, isDNS1123Label(name));
  if (seen.has(name)) errs.push(duplicate(child(path, 'name'), name));
  seen.add(name);
  return errs;
}

export function validateService(svc: Service, old?: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const type = spec.type || 'ClusterIP';
  const clusterIP = spec.clusterIP ?? '';
  const headless = clusterIP === 'None';
  const ports = spec.ports ?? [];

  errs.push(...oneOf('spec.type', spec.type, SERVICE_TYPES));
  if (type === 'ExternalName') {
    const name = spec.externalName ?? '';
    if (!name) errs.push(required('spec.externalName'));
    // A fully qualified name may end with a dot.
    else errs.push(...invalidEach('spec.externalName', name, isDNS1123Subdomain(name.endsWith('.') ? name.slice(0, -1) : name)));
    if (clusterIP && !headless) errs.push(forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
  } else if (ports.length === 0 && !headless) {
    errs.push(required('spec.ports'));
  }

  if (clusterIP && !headless && !isIPv4(clusterIP)) errs.push(invalid('spec.clusterIP', clusterIP, "must be empty, 'None', or a valid IP address"));
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) errs.push(invalid('spec.clusterIP', clusterIP, `may not be set to 'None' for ${type} services`));
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip !== 'None' && !isIPv4(ip)) errs.push(invalid(index('spec.clusterIPs', i), ip, "must be empty, 'None', or a valid IP address"));
  });
  if (spec.clusterIPs?.length && clusterIP && spec.clusterIPs[0] !== clusterIP) {
    errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }

  const names = new Set<string>();
  const portProto = new Set<string>();
  const nodePortProto = new Set<string>();
  ports.forEach((p, i) => {
    const pp = index('spec.ports', i);
    errs.push(...portNameErrors(pp, p.name ?? '', ports.length, names));
    const port = p.port ?? 0;
    errs.push(...invalidEach(child(pp, 'port'), port, isValidPortNum(port)));
    errs.push(...oneOf(child(pp, 'protocol'), p.protocol, PROTOCOLS));
    errs.push(...validateTargetPort(p.targetPort, child(pp, 'targetPort')));
    const proto = p.protocol || 'TCP';
    const pk = `${port}/${proto}`;
    if (portProto.has(pk)) errs.push(duplicate(pp, { port, protocol: proto }));
    portProto.add(pk);
    if (p.nodePort) {
      if (type === 'ClusterIP' || type === 'ExternalName') errs.push(forbidden(child(pp, 'nodePort'), `may not be used when \`type\` is '${type}'`));
      errs.push(...invalidEach(child(pp, 'nodePort'), p.nodePort, isValidPortNum(p.nodePort)));
      const nk = `${p.nodePort}/${proto}`;
      if (nodePortProto.has(nk)) errs.push(duplicate(child(pp, 'nodePort'), p.nodePort));
      nodePortProto.add(nk);
    }
  });

  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...oneOf('spec.sessionAffinity', spec.sessionAffinity, SESSION_AFFINITIES));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined) {
    const tp = 'spec.sessionAffinityConfig.clientIP.timeoutSeconds';
    if (spec.sessionAffinity !== 'ClientIP') errs.push(forbidden('spec.sessionAffinityConfig', "must not be set when session affinity is None"));
    else if (timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT) errs.push(invalid(tp, timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`));
  }

  const etp = spec.externalTrafficPolicy;
  if (etp) {
    if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(invalid('spec.externalTrafficPolicy', etp, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else errs.push(...oneOf('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  }
  if (spec.healthCheckNodePort && !(type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  errs.push(...oneOf('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (!isIPv4(ip)) errs.push(invalid(index('spec.externalIPs', i), ip, 'must be a valid IP address'));
  });
  (spec.ipFamilies ?? []).forEach((f, i) => errs.push(...oneOf(index('spec.ipFamilies', i), f, IP_FAMILIES, false)));
  errs.push(...oneOf('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  if (spec.loadBalancerIP && !isIPv4(spec.loadBalancerIP)) errs.push(invalid('spec.loadBalancerIP', spec.loadBalancerIP, 'must be a valid IP address'));

  if (old) errs.push(...validateServiceUpdate(svc, old));
  return errs;
}

/**
 * The cluster IP stays for the service's life, unless it becomes or stops being an
 * ExternalName one (which has none). An empty new clusterIP means "not sent": the
 * apiserver carries the allocated one over before validating.
 */
function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const was = old.spec?.clusterIP ?? '';
  const now = svc.spec?.clusterIP ?? '';
  const typeChange = (svc.spec?.type === 'ExternalName') !== (old.spec?.type === 'ExternalName');
  if (was && now && was !== now && !typeChange) return [invalid('spec.clusterIP', now, 'field is immutable')];
  return [];
}

function validateEndpointIP(ip: string, path: string): FieldError[] {
  if (!isIPv4(ip)) return [invalid(path, ip, 'must be a valid IP address')];
  if (ip === '0.0.0.0') return [invalid(path, ip, 'may not be unspecified (0.0.0.0)')];
  if (ip.startsWith('127.')) return [invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  if (ip.startsWith('169.254.')) return [invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if (ip.startsWith('224.')) return [invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  return [];
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((s, i) => {
    const sp = index('subsets', i);
    const addrs = [...(s.addresses ?? []).map((a) => ['addresses', a] as const), ...(s.notReadyAddresses ?? []).map((a) => ['notReadyAddresses', a] as const)];
    const counters: Record<string, number> = { addresses: 0, notReadyAddresses: 0 };
    for (const [field, a] of addrs) {
      const ap = index(child(sp, field), counters[field]++);
      errs.push(...validateEndpointIP(a.ip ?? '', child(ap, 'ip')));
      if (a.hostname) errs.push(...invalidEach(child(ap, 'hostname'), a.hostname, isDNS1123Label(a.hostname)));
      if (a.nodeName) errs.push(...invalidEach(child(ap, 'nodeName'), a.nodeName, isDNS1123Subdomain(a.nodeName)));
    }
    const ports = s.ports ?? [];
    const names = new Set<string>();
    ports.forEach((p, j) => {
      const pp = index(child(sp, 'ports'), j);
      errs.push(...portNameErrors(pp, p.name ?? '', ports.length, names));
      errs.push(...invalidEach(child(pp, 'port'), p.port ?? 0, isValidPortNum(p.port ?? 0)));
      errs.push(...oneOf(child(pp, 'protocol'), p.protocol, PROTOCOLS));
    });
  });
  return errs;
}
