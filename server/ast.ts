/**
 * Walking the `yaml` CST of one document: from a path (`spec.template.spec.containers[0].image`) to its key and
 * value nodes, and from an offset to the path under it. Offsets are relative to the document's text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';

export type Path = (string | number)[];

export interface Located {
  /** The key node when the path ends in a map entry. */
  readonly key?: Node;
  readonly value?: Node | null;
  /** The map or sequence holding the last segment. */
  readonly parent?: Node;
}

const MAX_DEPTH = 512;

export function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return k.value === null ? '' : String(k.value);
  return undefined;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  for (const item of map.items) if (isPair(item) && keyText(item) === key) return item;
  return undefined;
}

/** The nodes at `path`, following as far as the document goes (aliases stop the walk). */
export function nodeAtPath(doc: Document, path: readonly (string | number)[]): Located & { depth: number } {
  let node: Node | null | undefined = doc.contents as Node | null;
  let key: Node | undefined;
  let parent: Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (!node || isAlias(node)) return { key, value: node, parent, depth: i };
    if (typeof seg === 'string' && isMap(node)) {
      const pair = findPair(node, seg);
      if (!pair) return { key, value: node, parent, depth: i };
      parent = node;
      key = pair.key as Node;
      node = pair.value as Node | null;
    } else if (typeof seg === 'number' && isSeq(node)) {
      const item = node.items[seg] as Node | undefined;
      if (!item) return { key, value: node, parent, depth: i };
      parent = node;
      key = undefined;
      node = item;
    } else {
      return { key, value: node, parent, depth: i };
    }
  }
  return { key, value: node, parent, depth: path.length };
}

export interface Position {
  readonly path: Path;
  /** The offset is on a map key (or on a bare scalar where a key is being typed). */
  readonly onKey: boolean;
  readonly node?: Node;
  readonly pair?: Pair;
}

function inRange(n: Node | null | undefined, off: number): boolean {
  return !!n && !!n.range && n.range[0] <= off && off <= n.range[1];
}

/** The innermost key or value under `off`, with its path. */
export function locate(doc: Document, off: number): Position | undefined {
  let node = doc.contents as Node | null;
  if (!node || !inRange(node, off)) return undefined;
  const path: Path = [];
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isMap(node)) {
      let next: Position | Node | undefined;
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = item.key as Node | null;
        const v = item.value as Node | null;
        const name = keyText(item);
        if (inRange(k, off) && name !== undefined) return { path: [...path, name], onKey: true, node: k ?? undefined, pair: item };
        if (inRange(v, off) && name !== undefined) {
          path.push(name);
          if (isScalar(v) || isAlias(v)) return { path, onKey: false, node: v ?? undefined, pair: item };
          next = v ?? undefined;
          break;
        }
      }
      if (!next) return { path, onKey: false, node };
      node = next as Node;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => inRange(it as Node, off));
      if (i < 0) return { path, onKey: false, node };
      path.push(i);
      node = node.items[i] as Node;
      if (isScalar(node) || isAlias(node)) return { path, onKey: false, node };
    } else {
      return { path, onKey: false, node };
    }
  }
  return undefined;
}
