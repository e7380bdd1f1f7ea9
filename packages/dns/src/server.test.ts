import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { newLogger } from '@kubesim/client';
import { DnsServer } from './server.js';
import type { ClusterRecords } from './resolve.js';

const records: ClusterRecords = {
  service: (ns, n) => (ns === 'my-ns' && n === 'my-svc' ? { metadata: { namespace: ns, name: n }, spec: { clusterIP: '10.96.0.10' } } : undefined),
  endpoints: () => undefined,
  hasNamespace: (ns) => ns === 'my-ns',
};

// dns-packet decodes the rcode but its types omit it.
const rcode = (p: dnsPacket.DecodedPacket) => (p as dnsPacket.DecodedPacket & { rcode?: string }).rcode;

let server: DnsServer;
let port: number;
beforeAll(async () => {
  server = new DnsServer({ host: '127.0.0.1', port: 0, domain: 'cluster.local', records, logger: newLogger('dns-test') });
  port = await server.listen();
});
afterAll(() => server.close());

function udpQuery(name: string, type: dnsPacket.RecordType = 'A'): Promise<dnsPacket.DecodedPacket> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.close(), reject(new Error('no answer'))), 2000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(m));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), port, '127.0.0.1');
  });
}

describe('DnsServer', () => {
  it('answers A over UDP, authoritative, with the question echoed', async () => {
    const r = await udpQuery('My-Svc.my-ns.svc.cluster.local');
    expect(r.id).toBe(4242);
    expect(rcode(r)).toBe('NOERROR');
    expect(r.flag_aa).toBe(true);
    expect(r.flag_rd).toBe(true);
    expect(r.questions?.[0]?.name).toBe('My-Svc.my-ns.svc.cluster.local');
    expect(r.answers).toMatchObject([{ type: 'A', name: 'My-Svc.my-ns.svc.cluster.local', ttl: 5, data: '10.96.0.10' }]);
  });

  it('NXDOMAIN with an SOA, REFUSED outside the domain', async () => {
    const nx = await udpQuery('nope.my-ns.svc.cluster.local');
    expect(rcode(nx)).toBe('NXDOMAIN');
    expect(nx.authorities?.[0]?.type).toBe('SOA');
    expect(rcode(await udpQuery('example.com'))).toBe('REFUSED');
    expect(rcode(await udpQuery('my-svc.my-ns.svc.cluster.local', 'AAAA'))).toBe('NOERROR');
  });

  it('answers over TCP', async () => {
    const q = dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'my-svc.my-ns.svc.cluster.local' }] });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => c.write(q));
      let buf = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          c.end();
          resolve(buf);
        }
      });
      c.on('error', reject);
    });
    const r = dnsPacket.streamDecode(reply);
    expect(r.id).toBe(7);
    expect(r.answers?.[0]).toMatchObject({ type: 'A', data: '10.96.0.10' });
  });
});
