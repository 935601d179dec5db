/**
 * TreeNodeModel: what a tree row shows, computed by pure view-model functions and turned into a
 * vscode.TreeItem by views/treeProvider.ts (the only vscode-facing part).
 * Contract: `id` is stable for the same object across updates (VS Code keeps expansion and selection),
 * `contextValue` drives the menus in package.json (`wh:<kind>` plus `+flag` words), `children` is lazy.
 */
import type { ObjectRef } from './objects.ts';

export type Health = 'ok' | 'progressing' | 'warning' | 'error' | 'idle' | 'unknown';

export interface TreeIcon {
  /** A codicon id ("pass-filled", "sync~spin", …). */
  id: string;
  /** A theme color id, or none for the default foreground. */
  color?: string;
}

export interface TreeNodeModel {
  id: string;
  label: string;
  description?: string;
  /** Markdown; explains the state in words. Never contains Secret values. */
  tooltip?: string;
  icon?: TreeIcon;
  contextValue?: string;
  /** The object this row stands for, when it is one (commands receive it). */
  ref?: ObjectRef;
  /** The cluster this row belongs to (its id in the clusters registry). */
  cluster?: string;
  /** For ConfigMap/Secret key rows: the key name (never the value). */
  key?: string;
  collapsed?: boolean;
  children?: () => TreeNodeModel[];
}

export function healthIcon(h: Health): TreeIcon {
  switch (h) {
    case 'ok': return { id: 'pass-filled', color: 'testing.iconPassed' };
    case 'progressing': return { id: 'sync~spin', color: 'charts.blue' };
    case 'warning': return { id: 'warning', color: 'list.warningForeground' };
    case 'error': return { id: 'error', color: 'testing.iconFailed' };
    case 'idle': return { id: 'circle-large-outline', color: 'disabledForeground' };
    default: return { id: 'question', color: 'disabledForeground' };
  }
}

/** The worse of two healths, for rolling children up into a parent. */
export function worse(a: Health, b: Health): Health {
  const rank: Health[] = ['idle', 'ok', 'unknown', 'progressing', 'warning', 'error'];
  return rank.indexOf(a) >= rank.indexOf(b) ? a : b;
}

/** Escapes text for a Markdown tooltip (object names and messages come from the cluster). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export function contextValue(kind: string, ...flags: (string | false | undefined)[]): string {
  return ['wh:' + kind, ...flags.filter((f): f is string => !!f).map((f) => '+' + f)].join(' ');
}
