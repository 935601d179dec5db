/**
 * Upstream-shaped API errors (k8s.io/apimachinery/pkg/api/errors): each builder returns an ApiError whose
 * Status has the code, reason, message and details kubectl and client libraries key on.
 */
import { ApiError, type Status } from '../api/client.ts';

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

type Details = NonNullable<Status['details']>;

export function status(code: number, reason: string, message: string, details?: Details): Status {
  const s: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

export function apiError(code: number, reason: string, message: string, details?: Details): ApiError {
  return new ApiError(status(code, reason, message, details));
}

/** `deployments.apps` / `pods`: how upstream names a resource in messages. */
export function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const notFound = (group: string, resource: string, name: string): ApiError =>
  apiError(404, 'NotFound', `${qualified(group, resource)} "${name}" not found`, { name, group: group || undefined, kind: resource });

export const alreadyExists = (group: string, resource: string, name: string): ApiError =>
  apiError(409, 'AlreadyExists', `${qualified(group, resource)} "${name}" already exists`, { name, group: group || undefined, kind: resource });

export const conflict = (group: string, resource: string, name: string, why: string): ApiError =>
  apiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`, {
    name, group: group || undefined, kind: resource,
  });

export const STALE = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.selector: Required value`, one cause per bad field. */
export function invalid(group: string, kind: string, name: string, causes: Cause[]): ApiError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const msg = `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${parts.length > 1 ? `[${parts.join(', ')}]` : parts[0]}`;
  return apiError(422, 'Invalid', msg, { name, group: group || undefined, kind, causes });
}

export const badRequest = (message: string): ApiError => apiError(400, 'BadRequest', message);
export const forbidden = (message: string, details?: Details): ApiError => apiError(403, 'Forbidden', message, details);
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource'): ApiError =>
  apiError(405, 'MethodNotAllowed', message);
export const expired = (message: string): ApiError => apiError(410, 'Expired', message);
export const tooManyRequests = (message: string, retryAfterSeconds: number): ApiError =>
  apiError(429, 'TooManyRequests', message, { retryAfterSeconds });
export const unsupportedMediaType = (contentType: string): ApiError =>
  apiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${contentType}")`);
export const entityTooLarge = (): ApiError => apiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
export const notAcceptable = (): ApiError =>
  apiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml');
export const internal = (message: string): ApiError => apiError(500, 'InternalError', `Internal error occurred: ${message}`);

/** Field causes, as upstream's field.ErrorList renders them. */
export const FieldErr = {
  required: (field: string, detail = ''): Cause => ({ reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field }),
  invalid: (field: string, value: unknown, detail: string): Cause => ({
    reason: 'FieldValueInvalid', message: `Invalid value: ${render(value)}: ${detail}`, field,
  }),
  notSupported: (field: string, value: unknown, allowed: string[]): Cause => ({
    reason: 'FieldValueNotSupported', message: `Unsupported value: ${render(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, field,
  }),
  duplicate: (field: string, value: unknown): Cause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${render(value)}`, field }),
  forbidden: (field: string, detail: string): Cause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field }),
  tooLong: (field: string, max: number): Cause => ({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${max} bytes`, field }),
  immutable: (field: string, value: unknown): Cause => ({
    reason: 'FieldValueInvalid', message: `Invalid value: ${render(value)}: field is immutable`, field,
  }),
};

function render(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return 'null';
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
