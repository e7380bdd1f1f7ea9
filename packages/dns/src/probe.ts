// One UDP query to a DNS server: true when it answers at all (any rcode). Used by
// `kubesim up` to know the cluster DNS is serving before pods depend on it.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export function probeDns(host: string, port: number, domain: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const id = Math.floor(Math.random() * 65535);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('error', () => done(false));
    sock.on('message', (m) => {
      if (m.length >= 2 && m.readUInt16BE(0) === id) done(true);
    });
    sock.send(dnsPacket.encode({ type: 'query', id, questions: [{ type: 'SOA', name: domain }] }), port, host);
  });
}
