/** Shapes of the generated schema document (schema/generated/kubernetes.json). */

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * The subset of JSON schema (draft 2020-12 / OpenAPI 3.0) the generator emits. References are
 * `#/definitions/<name>`; a property that refers to a type and has its own description wraps the reference
 * in `allOf: [{ $ref }]`, as upstream's OpenAPI v3 does.
 */
export interface JsonSchema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  items?: JsonSchema;
  $ref?: string;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  readOnly?: boolean;
  default?: unknown;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

export interface SchemaDocument {
  /** Where the schema came from, e.g. `kubernetes-types@1.30.0`. */
  source: string;
  definitions: Record<string, JsonSchema>;
  /** `apps/v1/Deployment` (core group: `v1/Pod`) → definition name. */
  gvk: Record<string, string>;
}
