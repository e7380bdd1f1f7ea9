// The pods/log subresource: the apiserver finds the pod's node and streams the logs from
// that node agent's NodeService, as kube-apiserver proxies to the kubelet.
import * as grpc from '@grpc/grpc-js';
import { StatusError, badRequest, nodeService, type LogChunk, type Node, type Pod, type PodLogsRequest } from '@kubesim/api';
import type { Registry } from './registry/registry.js';

const NodeClient = grpc.makeGenericClientConstructor(nodeService as unknown as grpc.ServiceDefinition, 'NodeService');

/** Which container of `pod` the request means, or kubectl's error when it is ambiguous or unknown. */
export function pickContainer(pod: Pod, asked: string | undefined): string {
  const name = pod.metadata?.name ?? '';
  const app = (pod.spec?.containers ?? []).map((c) => c.name ?? '');
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name ?? '');
  if (asked) {
    if (![...app, ...init].includes(asked)) throw badRequest(`container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  if (app.length === 1) return app[0];
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]${init.length ? ` or one of the init containers: [${init.join(' ')}]` : ''}`);
}

/** The node agent's NodeService address from its Node status. */
export function kubeletAddress(node: Node): string {
  const name = node.metadata?.name ?? '';
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!port) throw new StatusError('ServiceUnavailable', `node ${name} publishes no kubelet endpoint`);
  const addrs = node.status?.addresses ?? [];
  const host = addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'Hostname')?.address ?? '127.0.0.1';
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class LogsProxy {
  private readonly clients = new Map<string, grpc.Client>();

  constructor(private readonly registry: Registry) {}

  /** Opens the upstream stream for a PodLogs call. */
  async open(req: PodLogsRequest): Promise<grpc.ClientReadableStream<LogChunk>> {
    const pod = (await this.registry.get('pods', req.namespace, req.name)) as Pod;
    const container = pickContainer(pod, req.container);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) throw badRequest(`container "${container}" in pod "${pod.metadata?.name}" is waiting to start: the pod is not scheduled to a node`);
    const node = (await this.registry.get('nodes', '', nodeName)) as Node;
    const address = kubeletAddress(node);
    let client = this.clients.get(address);
    if (!client) {
      client = new NodeClient(address, grpc.credentials.createInsecure());
      this.clients.set(address, client);
    }
    const call = (client as unknown as Record<string, (r: PodLogsRequest) => grpc.ClientReadableStream<LogChunk>>)['ContainerLogs'].call(client, {
      ...req,
      container,
      podUid: pod.metadata?.uid ?? '',
    });
    return call;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
