import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults.js';
import type { Endpoints, Service } from '../gen/types.js';
import { problems, service } from './testing.js';

function expectProblems(got: string[], want: string[]): void {
  expect(got, JSON.stringify(got)).toHaveLength(want.length);
  got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
}

describe('Service', () => {
  it.each<[string, (s: Service) => void]>([
    ['ClusterIP', () => {}],
    ['named target port', (s) => (s.spec!.ports![0].targetPort = 'http')],
    ['NodePort', (s) => { s.spec!.type = 'NodePort'; s.spec!.ports![0].nodePort = 30080; }],
    ['LoadBalancer Local', (s) => { s.spec!.type = 'LoadBalancer'; s.spec!.externalTrafficPolicy = 'Local'; }],
    ['ExternalName', (s) => { s.spec = { type: 'ExternalName', externalName: 'db.example.com' }; }],
    ['ExternalName with a trailing dot', (s) => { s.spec = { type: 'ExternalName', externalName: 'db.example.com.' }; }],
    ['headless without ports', (s) => { s.spec = { clusterIP: 'None' }; }],
    ['a cluster IP', (s) => (s.spec!.clusterIP = '10.96.0.10')],
    ['two named ports', (s) => (s.spec!.ports = [{ name: 'http', port: 80 }, { name: 'https', port: 443 }])],
    ['same port, two protocols', (s) => (s.spec!.ports = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }])],
    ['ClientIP affinity', (s) => (s.spec!.sessionAffinity = 'ClientIP')],
  ])('accepts %s', (_n, mutate) => expect(problems(service(mutate))).toEqual([]));

  it.each<[string, (s: Service) => void, string[]]>([
    ['no ports', (s) => (s.spec!.ports = []), ['spec.ports: Required value']],
    ['port 0', (s) => (s.spec!.ports![0].port = 0), ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['port 65536', (s) => (s.spec!.ports![0].port = 65536), ['spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive']],
    ['unnamed ports', (s) => (s.spec!.ports = [{ port: 80 }, { port: 443 }]), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    ['duplicate names', (s) => (s.spec!.ports = [{ name: 'web', port: 80 }, { name: 'web', port: 81 }]), ['spec.ports[1].name: Duplicate value: "web"']],
    ['duplicate port', (s) => (s.spec!.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80 }]), ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']],
    ['bad port name', (s) => (s.spec!.ports![0].name = 'Web'), ['spec.ports[0].name: Invalid value: "Web": a lowercase RFC 1123 label']],
    ['bad protocol', (s) => (s.spec!.ports![0].protocol = 'HTTP'), ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    ['bad target port number', (s) => (s.spec!.ports![0].targetPort = 70000), ['spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['bad target port name', (s) => (s.spec!.ports![0].targetPort = 'my--port'), ['spec.ports[0].targetPort: Invalid value: "my--port": must not contain consecutive hyphens']],
    ['nodePort on ClusterIP', (s) => (s.spec!.ports![0].nodePort = 30080), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['nodePort out of range', (s) => { s.spec!.type = 'NodePort'; s.spec!.ports![0].nodePort = 70000; }, ['spec.ports[0].nodePort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['duplicate nodePort', (s) => { s.spec!.type = 'NodePort'; s.spec!.ports = [{ name: 'a', port: 80, nodePort: 30000 }, { name: 'b', port: 81, nodePort: 30000 }]; }, ['spec.ports[1].nodePort: Duplicate value: 30000']],
    ['bad type', (s) => (s.spec!.type = 'Magic'), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['ExternalName without a name', (s) => { s.spec = { type: 'ExternalName' }; }, ['spec.externalName: Required value']],
    ['ExternalName bad name', (s) => { s.spec = { type: 'ExternalName', externalName: 'Not A Host' }; }, ['spec.externalName: Invalid value: "Not A Host": a lowercase RFC 1123 subdomain']],
    ['ExternalName with a cluster IP', (s) => { s.spec = { type: 'ExternalName', externalName: 'x.com', clusterIP: '10.0.0.1' }; }, ['spec.clusterIP: Forbidden: may not be set for ExternalName services']],
    ['bad cluster IP', (s) => (s.spec!.clusterIP = '10.0.0.300'), ['spec.clusterIP: Invalid value: "10.0.0.300": must be empty, \'None\', or a valid IP address']],
    ['headless NodePort', (s) => { s.spec!.type = 'NodePort'; s.spec!.clusterIP = 'None'; }, ["spec.clusterIP: Invalid value: \"None\": may not be set to 'None' for NodePort services"]],
    ['bad affinity', (s) => (s.spec!.sessionAffinity = 'Sticky'), ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']],
    ['externalTrafficPolicy on ClusterIP', (s) => (s.spec!.externalTrafficPolicy = 'Local'), ["spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'"]],
    ['bad externalTrafficPolicy', (s) => { s.spec!.type = 'NodePort'; s.spec!.externalTrafficPolicy = 'Near'; }, ['spec.externalTrafficPolicy: Unsupported value: "Near": supported values: "Cluster", "Local"']],
    ['bad selector', (s) => (s.spec!.selector = { app: 'a b' }), ['spec.selector: Invalid value: "a b": a valid label must']],
    ['bad external IP', (s) => (s.spec!.externalIPs = ['nope']), ['spec.externalIPs[0]: Invalid value: "nope": must be a valid IP address']],
    ['bad ipFamily', (s) => (s.spec!.ipFamilies = ['IPv5']), ['spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"']],
  ])('%s', (_n, mutate, want) => expectProblems(problems(service(mutate)), want));

  it('keeps the cluster IP on update', () => {
    const old = service((s) => (s.spec!.clusterIP = '10.96.0.10'));
    expect(problems(service((s) => (s.spec!.clusterIP = '10.96.0.10')), old)).toEqual([]);
    expect(problems(service(), old)).toEqual([]); // not sent: the apiserver carries it over
    expect(problems(service((s) => (s.spec!.clusterIP = '10.96.0.11')), old)).toEqual(['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
    expect(problems(service((s) => (s.spec!.clusterIP = 'None')), old)).toEqual(['spec.clusterIP: Invalid value: "None": field is immutable']);
  });

  it('lets a service become an ExternalName one and back', () => {
    const old = service((s) => (s.spec!.clusterIP = '10.96.0.10'));
    expect(problems(service((s) => { s.spec = { type: 'ExternalName', externalName: 'x.com' }; }), old)).toEqual([]);
    const ext = service((s) => { s.spec = { type: 'ExternalName', externalName: 'x.com' }; });
    expect(problems(service((s) => (s.spec!.clusterIP = '10.96.0.12')), ext)).toEqual([]);
  });
});

describe('Endpoints', () => {
  const ep = (mutate: (e: Endpoints) => void = () => {}): Endpoints => {
    const e: Endpoints = {
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-1' } }], notReadyAddresses: [{ ip: '10.244.2.7' }], ports: [{ port: 8080 }] }],
    };
    mutate(e);
    return applyDefaults(e);
  };

  it('accepts the fixture', () => expect(problems(ep())).toEqual([]));

  it.each<[string, (e: Endpoints) => void, string[]]>([
    ['bad IP', (e) => (e.subsets![0].addresses![0].ip = 'pod-1'), ['subsets[0].addresses[0].ip: Invalid value: "pod-1": must be a valid IP address']],
    ['loopback IP', (e) => (e.subsets![0].notReadyAddresses![0].ip = '127.0.0.1'), ['subsets[0].notReadyAddresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range']],
    ['port 0', (e) => (e.subsets![0].ports![0].port = 0), ['subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['unnamed ports', (e) => e.subsets![0].ports!.push({ port: 9090 }), ['subsets[0].ports[0].name: Required value', 'subsets[0].ports[1].name: Required value']],
    ['bad protocol', (e) => (e.subsets![0].ports![0].protocol = 'ICMP'), ['subsets[0].ports[0].protocol: Unsupported value: "ICMP"']],
  ])('%s', (_n, mutate, want) => expectProblems(problems(ep(mutate)), want));
});
