import { ApiError } from '../api/client.ts';
import type { ResourceType } from '../api/resources.ts';

/** 403 Forbidden as admission plugins answer: `<resource> "<name>" is forbidden: <reason>`. */
export function forbidden(type: ResourceType, name: string, message: string): ApiError {
  return new ApiError({
    apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
    message: `${type.group ? `${type.resource}.${type.group}` : type.resource} "${name}" is forbidden: ${message}`,
    details: { name, group: type.group, kind: type.resource },
  });
}

/** utilerrors.NewAggregate's text: one message as is, several as `[a, b]`. */
export function aggregate(msgs: string[]): string {
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
