// The ResourceService method table, derived from proto/ (api.proto), with serializers
// that speak Kubernetes' JSON shape. Pure data: the client and the apiserver hand it to
// @grpc/grpc-js, so this package stays free of I/O.
import { descriptor } from './gen/descriptor.js';
import { decodeMessage, encodeMessage, lookupType } from './codec.js';
import type * as T from './gen/types.js';

export interface MethodDefinition<Req, Res> {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: Req): Buffer;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
  responseDeserialize(bytes: Buffer): Res;
}

/** Request and response types of each ResourceService method. */
export interface ResourceMethods {
  Create: [T.CreateRequest, T.KubeObject];
  Get: [T.GetRequest, T.KubeObject];
  List: [T.ListRequest, T.ListResponse];
  Update: [T.UpdateRequest, T.KubeObject];
  UpdateStatus: [T.UpdateRequest, T.KubeObject];
  Patch: [T.PatchRequest, T.KubeObject];
  Delete: [T.DeleteRequest, T.DeleteResponse];
  Watch: [T.WatchRequest, T.WatchEvent];
  Bind: [T.BindRequest, T.Status];
  Version: [T.VersionRequest, T.VersionInfo];
  PodLogs: [T.PodLogsRequest, T.LogChunk];
  Requests: [T.RequestFrame, T.ResponseFrame];
}

export interface NodeMethods {
  ContainerLogs: [T.PodLogsRequest, T.LogChunk];
}

export type NodeServiceDefinition = {
  [M in keyof NodeMethods]: MethodDefinition<NodeMethods[M][0], NodeMethods[M][1]>;
};

export type ResourceServiceDefinition = {
  [M in keyof ResourceMethods]: MethodDefinition<ResourceMethods[M][0], ResourceMethods[M][1]>;
};

interface MethodJson {
  requestType: string;
  responseType: string;
  responseStream?: boolean;
  requestStream?: boolean;
}

function serviceMethods(service: string): Record<string, MethodJson> {
  const nested = (descriptor as unknown as { nested: { kubesim: { nested: { v1: { nested: Record<string, { methods?: Record<string, MethodJson> }> } } } } }).nested.kubesim.nested.v1.nested;
  const methods = nested[service]?.methods;
  if (!methods) throw new Error(`service ${service} not in proto descriptor`);
  return methods;
}

function definition<D>(service: string): D {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(serviceMethods(service))) {
    // Fail at load time, not at the first call, if the proto names a missing type.
    lookupType(m.requestType);
    lookupType(m.responseType);
    def[name] = {
      path: `/kubesim.v1.${service}/${name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: (v) => Buffer.from(encodeMessage(m.requestType, v)),
      requestDeserialize: (b) => decodeMessage(m.requestType, b),
      responseSerialize: (v) => Buffer.from(encodeMessage(m.responseType, v)),
      responseDeserialize: (b) => decodeMessage(m.responseType, b),
    };
  }
  return def as D;
}

export const resourceService: ResourceServiceDefinition = definition<ResourceServiceDefinition>('ResourceService');
export const nodeService: NodeServiceDefinition = definition<NodeServiceDefinition>('NodeService');

/** The unary methods a RequestFrame can carry, by the frame's field for each. */
export const FRAME_FIELDS = {
  Create: 'create',
  Get: 'get',
  List: 'list',
  Update: 'update',
  UpdateStatus: 'updateStatus',
  Patch: 'patch',
  Delete: 'delete',
  Bind: 'bind',
  Version: 'version',
} as const satisfies Partial<Record<keyof ResourceMethods, keyof T.RequestFrame>>;

export type FramedMethod = keyof typeof FRAME_FIELDS;

/** The ResponseFrame field that carries each framed method's answer. */
export const FRAME_RESPONSE_FIELDS: Record<FramedMethod, keyof T.ResponseFrame> = {
  Create: 'object',
  Get: 'object',
  List: 'list',
  Update: 'object',
  UpdateStatus: 'object',
  Patch: 'object',
  Delete: 'delete',
  Bind: 'status',
  Version: 'version',
};

/**
 * The id of a request or response frame that could not be decoded as a whole, read from
 * its first field (a varint under tag 1, which protobuf encoders write first), so the
 * failure still reaches the request it belongs to.
 */
export function frameId(buf: Uint8Array): number | undefined {
  if (buf[0] !== 0x08) return undefined;
  let id = 0;
  for (let i = 1, shift = 0; i < buf.length && shift < 35; i++, shift += 7) {
    id += (buf[i] & 0x7f) * 2 ** shift;
    if (!(buf[i] & 0x80)) return id;
  }
  return undefined;
}

/** Encodes/decodes the Status carried in the error trailer. */
export const encodeStatus = (s: T.Status): Buffer => Buffer.from(encodeMessage('Status', s));
export const decodeStatus = (b: Uint8Array): T.Status => decodeMessage<T.Status>('Status', b);
