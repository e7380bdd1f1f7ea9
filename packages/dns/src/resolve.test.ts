import { describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '@kubesim/api';
import { normalizeName, resolve, type ClusterRecords } from './resolve.js';

const D = 'cluster.local';

function fixture(services: Service[], endpoints: Endpoints[] = []): ClusterRecords {
  const key = (ns: string, n: string) => `${ns}/${n}`;
  const s = new Map(services.map((x) => [key(x.metadata!.namespace!, x.metadata!.name!), x]));
  const e = new Map(endpoints.map((x) => [key(x.metadata!.namespace!, x.metadata!.name!), x]));
  return {
    service: (ns, n) => s.get(key(ns, n)),
    endpoints: (ns, n) => e.get(key(ns, n)),
    hasNamespace: (ns) => services.some((x) => x.metadata?.namespace === ns),
  };
}

const records = fixture(
  [
    { metadata: { namespace: 'my-ns', name: 'my-svc' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } },
    { metadata: { namespace: 'my-ns', name: 'headless' }, spec: { clusterIP: 'None' } },
    { metadata: { namespace: 'my-ns', name: 'peers' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true } },
    { metadata: { namespace: 'my-ns', name: 'empty-headless' }, spec: { clusterIP: 'None' } },
    { metadata: { namespace: 'default', name: 'externalname-svc' }, spec: { type: 'ExternalName', externalName: 'My.Database.com.' } },
  ],
  [
    {
      metadata: { namespace: 'my-ns', name: 'headless' },
      subsets: [
        { addresses: [{ ip: '172.17.0.5', hostname: 'web-0' }, { ip: '172.17.0.6' }], notReadyAddresses: [{ ip: '172.17.0.7' }] },
        { addresses: [{ ip: '172.17.0.5' }, { ip: '172.17.0.8' }] },
      ],
    },
    { metadata: { namespace: 'my-ns', name: 'peers' }, subsets: [{ addresses: [{ ip: '172.17.0.9' }], notReadyAddresses: [{ ip: '172.17.0.10', hostname: 'p-1' }] }] },
  ],
);

const data = (name: string, type = 'A') => resolve(name, type, D, records).answers.map((a) => a.data);

describe('resolve', () => {
  it('answers the ClusterIP of a Service, case-insensitively, with or without the trailing dot', () => {
    expect(data('my-svc.my-ns.svc.cluster.local')).toEqual(['10.96.0.10']);
    expect(data('MY-SVC.My-Ns.SVC.Cluster.Local.')).toEqual(['10.96.0.10']);
    const r = resolve('my-svc.my-ns.svc.cluster.local.', 'A', D, records);
    expect(r).toMatchObject({ rcode: 'NOERROR', authoritative: true });
    expect(r.answers[0]).toEqual({ type: 'A', name: 'my-svc.my-ns.svc.cluster.local', ttl: 5, data: '10.96.0.10' });
  });

  it('answers a headless Service with its ready endpoint addresses, once each', () => {
    expect(data('headless.my-ns.svc.cluster.local')).toEqual(['172.17.0.5', '172.17.0.6', '172.17.0.8']);
  });

  it('includes not-ready addresses when publishNotReadyAddresses is set', () => {
    expect(data('peers.my-ns.svc.cluster.local')).toEqual(['172.17.0.9', '172.17.0.10']);
    expect(data('p-1.peers.my-ns.svc.cluster.local')).toEqual(['172.17.0.10']);
  });

  it('answers a headless endpoint by hostname; unknown hostnames are NXDOMAIN', () => {
    expect(data('web-0.headless.my-ns.svc.cluster.local')).toEqual(['172.17.0.5']);
    expect(resolve('web-9.headless.my-ns.svc.cluster.local', 'A', D, records).rcode).toBe('NXDOMAIN');
    expect(resolve('x.my-svc.my-ns.svc.cluster.local', 'A', D, records).rcode).toBe('NXDOMAIN');
  });

  it('a headless Service without endpoints exists but has no records', () => {
    const r = resolve('empty-headless.my-ns.svc.cluster.local', 'A', D, records);
    expect(r).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(r.authority[0]?.type).toBe('SOA');
  });

  it('answers an ExternalName Service with a CNAME, for any type asked', () => {
    const r = resolve('externalname-svc.default.svc.cluster.local', 'A', D, records);
    expect(r.answers).toEqual([{ type: 'CNAME', name: 'externalname-svc.default.svc.cluster.local', ttl: 5, data: 'my.database.com' }]);
    expect(data('externalname-svc.default.svc.cluster.local', 'AAAA')).toEqual(['my.database.com']);
  });

  it('NXDOMAIN with the zone SOA for names in the domain that do not exist', () => {
    for (const n of ['nope.my-ns.svc.cluster.local', 'my-svc.other.svc.cluster.local', 'other.svc.cluster.local', 'foo.cluster.local', 'a.b.c.d.e.svc.cluster.local']) {
      const r = resolve(n, 'A', D, records);
      expect(r.rcode, n).toBe('NXDOMAIN');
      expect(r.authority[0]).toMatchObject({ type: 'SOA', name: 'cluster.local', ttl: 5 });
    }
  });

  it('NOERROR and no answers for other types on existing names', () => {
    for (const t of ['AAAA', 'MX', 'TXT']) {
      const r = resolve('my-svc.my-ns.svc.cluster.local', t, D, records);
      expect(r).toMatchObject({ rcode: 'NOERROR', answers: [] });
    }
    expect(data('my-svc.my-ns.svc.cluster.local', 'ANY')).toEqual(['10.96.0.10']);
  });

  it('the zone apex, svc., pod. and an existing namespace are empty non-terminals', () => {
    for (const n of ['cluster.local', 'svc.cluster.local', 'my-ns.svc.cluster.local', 'pod.cluster.local', 'my-ns.pod.cluster.local']) {
      expect(resolve(n, 'A', D, records), n).toMatchObject({ rcode: 'NOERROR', answers: [] });
    }
    expect(resolve('cluster.local.', 'SOA', D, records).answers[0]?.type).toBe('SOA');
  });

  it('answers pod names spelt from their IP', () => {
    expect(data('172-17-0-5.my-ns.pod.cluster.local')).toEqual(['172.17.0.5']);
    expect(resolve('172-17-0-999.my-ns.pod.cluster.local', 'A', D, records).rcode).toBe('NXDOMAIN');
    expect(resolve('x.172-17-0-5.my-ns.pod.cluster.local', 'A', D, records).rcode).toBe('NXDOMAIN');
  });

  it('refuses names outside the cluster domain (no recursion offline)', () => {
    for (const n of ['example.com', 'my.database.com.', 'local', 'xcluster.local', 'my-svc']) {
      expect(resolve(n, 'A', D, records), n).toMatchObject({ rcode: 'REFUSED', authoritative: false, answers: [] });
    }
  });

  it('NXDOMAIN for search-path forms outside the domain that end in a namespace or svc', () => {
    for (const n of ['my-svc.my-ns', 'externalname-svc.default', 'my-svc.my-ns.svc']) expect(resolve(n, 'A', D, records).rcode, n).toBe('NXDOMAIN');
    expect(resolve('my-svc.unknown', 'A', D, records).rcode).toBe('REFUSED');
  });

  it('works with another cluster domain, given with a trailing dot or upper case', () => {
    expect(resolve('my-svc.my-ns.svc.Kube.Test', 'A', 'kube.test.', records).answers.map((a) => a.data)).toEqual(['10.96.0.10']);
    expect(resolve('my-svc.my-ns.svc.cluster.local', 'A', 'kube.test', records).rcode).toBe('REFUSED');
  });

  it('normalizeName', () => {
    expect(normalizeName('A.B.C..')).toBe('a.b.c');
  });
});
