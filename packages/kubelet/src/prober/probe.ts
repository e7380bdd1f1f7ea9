// One probe attempt: httpGet, tcpSocket or exec, with its timeout. Returns success or
// failure with the message the kubelet would put in an Unhealthy event.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, IntOrString, Probe } from '@kubesim/api';

export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

export interface ProbeTarget {
  podIP: string;
  container: Container;
  /** Runs a command in the container (exec probes). */
  exec(command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

/** A numeric port, or a named one looked up in the container's ports. */
export function resolvePort(port: IntOrString | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) return execProbe(probe.exec.command ?? [], timeoutMs, target);
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target.container);
    if (port === undefined) return { ok: false, message: `unknown port ${String(probe.httpGet.port)}` };
    const host = probe.httpGet.host || target.podIP;
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const path = probe.httpGet.path || '/';
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of probe.httpGet.httpHeaders ?? []) if (h.name) headers[h.name] = h.value ?? '';
    return httpProbe(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`, headers, timeoutMs);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target.container);
    if (port === undefined) return { ok: false, message: `unknown port ${String(probe.tcpSocket.port)}` };
    return tcpProbe(probe.tcpSocket.host || target.podIP, port, timeoutMs);
  }
  // grpc probes are not supported; no handler counts as success, as Kubernetes does.
  return { ok: true, message: '' };
}

function httpProbe(url: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https') ? httpsRequest : httpRequest)(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      // Kubernetes: 200 <= code < 400 is success.
      if (code >= 200 && code < 400) resolve({ ok: true, message: '' });
      else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (err) => resolve({ ok: false, message: `Get "${url}": ${err.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    const done = (o: ProbeOutcome) => {
      sock.destroy();
      resolve(o);
    };
    sock.on('connect', () => done({ ok: true, message: '' }));
    sock.on('timeout', () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    sock.on('error', (err) => done({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

async function execProbe(command: string[], timeoutMs: number, target: ProbeTarget): Promise<ProbeOutcome> {
  try {
    const r = await target.exec(command, timeoutMs);
    if (r.exitCode === 0) return { ok: true, message: '' };
    return { ok: false, message: r.output.trim() || `command ${JSON.stringify(command)} exited with ${r.exitCode}` };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
