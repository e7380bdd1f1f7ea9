// Chain names. iptables limits a chain name to 28 characters, so (as Kubernetes does) the
// per-service and per-endpoint chains are named by a base32 slice of a SHA-256 of what they
// stand for. Every chain of one node starts with `KUBESIM-<node hash>-`, so one node's proxy
// only ever touches its own chains in a network namespace shared with other nodes, and
// `kubesim down` finds all of them by the `KUBESIM-` prefix.
import { createHash } from 'node:crypto';

export const CHAIN_PREFIX = 'KUBESIM-';
export const MAX_CHAIN_NAME = 28;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding) of the SHA-256 of `s`, cut to `n` characters. */
export function hash32(s: string, n: number): string {
  const bytes = createHash('sha256').update(s).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < n) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= n) break;
  }
  return out;
}

/** `KUBESIM-<6 chars>-`: the prefix of every chain the node's proxy owns. */
export function nodeChainPrefix(nodeName: string): string {
  return `${CHAIN_PREFIX}${hash32(`node:${nodeName}`, 6)}-`;
}

/** The comment carried by the node's jump rules in the built-in chains. */
export function nodeComment(nodeName: string): string {
  return `kubesim node=${nodeName}`;
}

/** The fixed top-level chains of a node. */
export interface NodeChains {
  /** nat: ClusterIP (and load-balancer IP) dispatch. */
  services: string;
  /** nat: NodePort dispatch. */
  nodePorts: string;
  /** nat: sets the masquerade mark. */
  markMasq: string;
  /** nat: masquerades marked packets. */
  postrouting: string;
  /** filter: REJECT/DROP for services without (local) endpoints. */
  filter: string;
}

export function nodeChains(nodeName: string): NodeChains {
  const p = nodeChainPrefix(nodeName);
  return {
    services: `${p}SERVICES`,
    nodePorts: `${p}NODEPORTS`,
    markMasq: `${p}MARK-MASQ`,
    postrouting: `${p}POSTROUTING`,
    filter: `${p}FILTER`,
  };
}

export type ServiceChainKind = 'SVC' | 'SVL' | 'EXT' | 'SEP';

/**
 * A per-service-port (SVC: all endpoints, SVL: local endpoints, EXT: external entry) or
 * per-endpoint (SEP) chain: `KUBESIM-<node>-<kind>-<9 chars>` = 28 characters.
 * `what` is "ns/name:port/proto" (plus "/ip:port" for SEP).
 */
export function serviceChain(nodeName: string, kind: ServiceChainKind, what: string): string {
  return `${nodeChainPrefix(nodeName)}${kind}-${hash32(`${kind}:${what}`, 9)}`;
}
