// Errors shaped like Kubernetes' metav1.Status, so every component and the CLI can
// tell NotFound from Conflict from Invalid and print what kubectl would print.
import type { Status, StatusCause } from './gen/types.js';

export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Gone'
  | 'Expired'
  | 'Forbidden'
  | 'Unauthorized'
  | 'MethodNotAllowed'
  | 'RequestEntityTooLarge'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError';

const HTTP_CODE: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

/** gRPC status codes (the numbers are fixed by the gRPC spec). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const GRPC_FOR_REASON: Record<StatusReason, number> = {
  BadRequest: GrpcCode.INVALID_ARGUMENT,
  Invalid: GrpcCode.INVALID_ARGUMENT,
  NotFound: GrpcCode.NOT_FOUND,
  AlreadyExists: GrpcCode.ALREADY_EXISTS,
  Conflict: GrpcCode.ABORTED,
  Gone: GrpcCode.OUT_OF_RANGE,
  Expired: GrpcCode.OUT_OF_RANGE,
  Forbidden: GrpcCode.PERMISSION_DENIED,
  Unauthorized: GrpcCode.UNAUTHENTICATED,
  MethodNotAllowed: GrpcCode.UNIMPLEMENTED,
  RequestEntityTooLarge: GrpcCode.RESOURCE_EXHAUSTED,
  ServiceUnavailable: GrpcCode.UNAVAILABLE,
  Timeout: GrpcCode.DEADLINE_EXCEEDED,
  TooManyRequests: GrpcCode.RESOURCE_EXHAUSTED,
  InternalError: GrpcCode.INTERNAL,
};

/** The gRPC trailer that carries the encoded Status of a failed call. */
export const STATUS_TRAILER = 'kubesim-status-bin';

export class StatusError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details: Status['details'];

  constructor(reason: StatusReason, message: string, details?: Status['details']) {
    super(message);
    this.name = 'StatusError';
    this.reason = reason;
    this.code = HTTP_CODE[reason];
    this.details = details;
  }

  get grpcCode(): number {
    return GRPC_FOR_REASON[this.reason];
  }

  toStatus(): Status {
    return { status: 'Failure', message: this.message, reason: this.reason, details: this.details, code: this.code };
  }

  static fromStatus(s: Status): StatusError {
    const reason = (s.reason && s.reason in HTTP_CODE ? s.reason : 'InternalError') as StatusReason;
    return new StatusError(reason, s.message ?? reason, s.details);
  }
}

/** "deployments" + "apps" -> "deployments.apps", as Kubernetes names a resource or kind of a named group in messages. */
function qualified(name: string, group: string | undefined): string {
  return group ? `${name}.${group}` : name;
}

/** `pods "nginx" not found`, `deployments.apps "web" not found` */
export function notFound(resource: string, name: string, group?: string): StatusError {
  return new StatusError('NotFound', `${qualified(resource, group)} "${name}" not found`, { name, kind: resource, ...(group ? { group } : {}) });
}

export function alreadyExists(resource: string, name: string, group?: string): StatusError {
  return new StatusError('AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, kind: resource, ...(group ? { group } : {}) });
}

export function conflict(resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again', group?: string): StatusError {
  return new StatusError('Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, { name, kind: resource, ...(group ? { group } : {}) });
}

export function badRequest(message: string): StatusError {
  return new StatusError('BadRequest', message);
}

export function expired(message: string): StatusError {
  return new StatusError('Expired', message);
}

export function forbidden(message: string): StatusError {
  return new StatusError('Forbidden', message);
}

/** One field error, as Kubernetes' field.Error: `spec.replicas: Invalid value: -1: must be ...`. */
export interface FieldError {
  type: 'Required value' | 'Invalid value' | 'Unsupported value' | 'Duplicate value' | 'Too long' | 'Too many' | 'Forbidden' | 'Not found' | 'Invalid type';
  field: string;
  /** The offending value, printed as Kubernetes prints it (strings quoted). */
  value?: unknown;
  detail?: string;
}

/** A value as Go's %#v prints it in Kubernetes' messages: strings quoted, label maps as map[string]string{...}. */
function showValue(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => typeof x === 'string')) {
    const body = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify((v as Record<string, string>)[k])}`)
      .join(', ');
    return `map[string]string{${body}}`;
  }
  return JSON.stringify(v) ?? String(v);
}

export function formatFieldError(e: FieldError): string {
  const shown =
    e.type === 'Invalid value' || e.type === 'Unsupported value' || e.type === 'Duplicate value'
      ? e.value === undefined
        ? ''
        : ` ${showValue(e.value)}`
      : '';
  const head = `${e.field}: ${e.type}${shown ? ':' + shown : ''}`;
  return e.detail ? `${head}: ${e.detail}` : head;
}

/** `Pod "Foo_1" is invalid: metadata.name: Invalid value: "Foo_1": ...` (`Deployment.apps "web" is invalid: ...` in a group) */
export function invalid(kind: string, name: string, errors: FieldError[], group?: string): StatusError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: `Field${e.type.replace(/ /g, '')}`, message: formatFieldError(e), field: e.field }));
  const list = errors.map(formatFieldError);
  const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError('Invalid', `${qualified(kind, group)} "${name}" is invalid: ${body}`, { name, kind, causes, ...(group ? { group } : {}) });
}

export function isStatusError(e: unknown, reason?: StatusReason): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}
export const isNotFound = (e: unknown): boolean => isStatusError(e, 'NotFound');
export const isAlreadyExists = (e: unknown): boolean => isStatusError(e, 'AlreadyExists');
export const isConflict = (e: unknown): boolean => isStatusError(e, 'Conflict');
export const isExpired = (e: unknown): boolean => isStatusError(e, 'Expired') || isStatusError(e, 'Gone');
export const isInvalid = (e: unknown): boolean => isStatusError(e, 'Invalid');
