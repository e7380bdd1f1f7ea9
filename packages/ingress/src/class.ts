// Which Ingresses this controller serves, and the status it reports for them. Pure.
import { INGRESS_CLASS_ANNOTATION, type Ingress, type IngressLoadBalancerIngress } from '@kubesim/api';

export interface ClassOptions {
  /** The IngressClass name this controller implements (spec.ingressClassName). */
  ingressClass: string;
  /** Serve Ingresses that name no class at all (as the cluster's only, default, controller). */
  watchWithoutClass: boolean;
}

/**
 * An Ingress is ours when its spec.ingressClassName, else its legacy
 * kubernetes.io/ingress.class annotation, names our class; one naming neither is ours
 * when we serve class-less Ingresses.
 */
export function servesIngress(ing: Ingress, opts: ClassOptions): boolean {
  const cls = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (cls === undefined || cls === '') return opts.watchWithoutClass;
  return cls === opts.ingressClass;
}

/** status.loadBalancer.ingress for the addresses the controller publishes. */
export function desiredLoadBalancer(addresses: readonly string[]): IngressLoadBalancerIngress[] {
  return [...new Set(addresses)].sort().map((ip) => ({ ip }));
}

/** Does the Ingress already report exactly these addresses (ports and hostnames aside)? */
export function statusUpToDate(ing: Ingress, want: readonly IngressLoadBalancerIngress[]): boolean {
  const have = ing.status?.loadBalancer?.ingress ?? [];
  if (have.length !== want.length) return false;
  return have.every((h, i) => (h.ip ?? '') === want[i].ip && !h.hostname);
}
