/** A diagnostic as feature services produce it: offsets relative to its document, converted to LSP on publish. */
import type { DiagnosticCode } from './protocol.ts';

export const Sev = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;
export type Sev = (typeof Sev)[keyof typeof Sev];

export interface RawDiag {
  readonly start: number;
  readonly end: number;
  readonly severity: Sev;
  readonly code: DiagnosticCode;
  readonly message: string;
  /** What a code action needs (replacement text, missing field, …). */
  readonly data?: DiagData;
}

export interface DiagData {
  /** Text that fixes it when put in place of the range (did-you-mean, apiVersion upgrade). */
  replacement?: string;
  /** For upgrades: the old apiVersion (field moves are keyed on it). */
  from?: string;
  /** Missing required field's name. */
  field?: string;
  /** Missing referenced object: kind, name, namespace (for "create a stub"). */
  kind?: string;
  name?: string;
  namespace?: string;
  key?: string;
}
