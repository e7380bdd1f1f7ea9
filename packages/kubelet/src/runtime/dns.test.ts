import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { podDnsSettings } from './dns.js';

const pod = (spec: NonNullable<Pod['spec']> = { containers: [] }, ns = 'my-ns'): Pod => ({ metadata: { namespace: ns, name: 'p' }, spec });
const cfg = { clusterDNS: '172.17.0.1', clusterDomain: 'cluster.local' };

describe('podDnsSettings', () => {
  it('ClusterFirst (the default): the cluster DNS, the namespace search path, ndots:5', () => {
    expect(podDnsSettings(pod(), cfg)).toEqual({
      Dns: ['172.17.0.1'],
      DnsSearch: ['my-ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      DnsOptions: ['ndots:5'],
    });
    expect(podDnsSettings(pod({ containers: [], dnsPolicy: 'ClusterFirst' }, ''), { clusterDNS: '10.0.0.1', clusterDomain: 'kube.test.' }).DnsSearch).toEqual([
      'default.svc.kube.test',
      'svc.kube.test',
      'kube.test',
    ]);
  });

  it('appends dnsConfig nameservers and searches, and overrides options by name', () => {
    const s = podDnsSettings(pod({ containers: [], dnsConfig: { nameservers: ['10.1.1.1'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), cfg);
    expect(s).toEqual({
      Dns: ['172.17.0.1', '10.1.1.1'],
      DnsSearch: ['my-ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      DnsOptions: ['ndots:2', 'edns0'],
    });
  });

  it('Default keeps Docker resolver; so does ClusterFirst without a cluster DNS or with hostNetwork', () => {
    expect(podDnsSettings(pod({ containers: [], dnsPolicy: 'Default' }), cfg)).toEqual({});
    expect(podDnsSettings(pod(), {})).toEqual({});
    expect(podDnsSettings(pod({ containers: [], hostNetwork: true }), cfg)).toEqual({});
    expect(podDnsSettings(pod({ containers: [], hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cfg).Dns).toEqual(['172.17.0.1']);
  });

  it('None takes only dnsConfig', () => {
    expect(podDnsSettings(pod({ containers: [], dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.b'] } }), cfg)).toEqual({ Dns: ['1.2.3.4'], DnsSearch: ['a.b'] });
  });
});
