// The sockets: UDP (node:dgram) and TCP (2-byte length-prefixed messages, RFC 1035 4.2.2)
// on one host:port, each message answered by answerQuery over the caches.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { Logger } from '@kubesim/client';
import type { ClusterRecords } from './resolve.js';
import { answerQuery } from './wire.js';

export interface DnsServerOptions {
  host: string;
  port: number;
  domain: string;
  records: ClusterRecords;
  logger: Logger;
  /** Also serve TCP (default true). */
  tcp?: boolean;
}

export class DnsServer {
  private udp?: Socket;
  private tcp?: Server;

  constructor(private readonly opts: DnsServerOptions) {}

  /** Binds both sockets; resolves with the UDP port (the TCP one is the same). */
  async listen(): Promise<number> {
    const { host, domain, records, logger: log } = this.opts;
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      const out = answerQuery(msg, domain, records);
      if (!out) return;
      // Over UDP a response is at most 512 bytes unless EDNS says more; truncate by setting TC.
      udp.send(out.length > 512 ? truncated(out) : out, rinfo.port, rinfo.address, (err) => {
        if (err) log.debug({ err: err.message, to: rinfo.address }, 'dns: send failed');
      });
    });
    udp.on('error', (err) => log.warn({ err: err.message }, 'dns: udp socket error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const port = udp.address().port;
    if (this.opts.tcp !== false) {
      const tcp = createServer((conn) => {
        let buf = Buffer.alloc(0);
        conn.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const len = buf.readUInt16BE(0);
            const out = answerQuery(buf.subarray(2, 2 + len), domain, records);
            buf = buf.subarray(2 + len);
            if (!out) continue;
            const head = Buffer.alloc(2);
            head.writeUInt16BE(out.length);
            conn.write(Buffer.concat([head, out]));
          }
        });
        conn.on('error', () => conn.destroy());
        conn.setTimeout(10_000, () => conn.destroy());
      });
      this.tcp = tcp;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    }
    return port;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
  }
}

/** Header only, with TC set: the client retries over TCP. */
function truncated(msg: Buffer): Buffer {
  const head = Buffer.from(msg.subarray(0, 12));
  head.writeUInt16BE(head.readUInt16BE(2) | 0x0200, 2);
  head.writeUInt16BE(0, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  // Keep the question (qdcount stays) so the client matches it.
  return Buffer.concat([head, questionSection(msg)]);
}

function questionSection(msg: Buffer): Buffer {
  let i = 12;
  while (i < msg.length && msg[i] !== 0) i += msg[i]! + 1;
  return msg.subarray(12, Math.min(msg.length, i + 5));
}
