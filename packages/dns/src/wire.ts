// DNS messages: a query packet in, the response packet out, around the pure resolve().
import dnsPacket from 'dns-packet';
import { resolve, type ClusterRecords, type Rcode } from './resolve.js';

const RCODES: Record<Rcode | 'FORMERR' | 'NOTIMP', number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

/** The response to one query message; undefined for garbage that is not even a header (dropped). */
export function answerQuery(msg: Buffer, domain: string, records: ClusterRecords): Buffer | undefined {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    if (msg.length < 12) return undefined;
    // Keep the id so the client can match the FORMERR.
    return dnsPacket.encode({ type: 'response', id: msg.readUInt16BE(0), flags: RCODES.FORMERR, questions: [] });
  }
  if (q.type !== 'query') return undefined;
  const rd = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const question = q.questions?.[0];
  if (!question || q.questions!.length !== 1) return dnsPacket.encode({ type: 'response', id: q.id, flags: rd | RCODES.FORMERR, questions: q.questions ?? [] });
  let r;
  try {
    r = resolve(question.name, question.type, domain, records);
  } catch {
    return dnsPacket.encode({ type: 'response', id: q.id, flags: rd | RCODES.SERVFAIL, questions: [question] });
  }
  // Echo the asked name's spelling (0x20 case randomisation by resolvers expects it).
  const asked = question.name.replace(/\.+$/, '');
  const rename = (n: string) => (n.toLowerCase() === asked.toLowerCase() ? asked : n);
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: rd | (r.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | RCODES[r.rcode],
    questions: [question],
    answers: r.answers.map((a) => ({ ...a, name: rename(a.name), class: 'IN' }) as dnsPacket.Answer),
    authorities: r.authority.map((a) => ({ ...a, class: 'IN' }) as dnsPacket.Answer),
  });
}
