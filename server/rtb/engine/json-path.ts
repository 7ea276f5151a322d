// A deliberately small JSONPath subset for reading bid responses: `$.a.b`, `a.b`, `a[0].b`,
// `$['a']`, `$["a"]`, `$[0]`, `$`. Own properties only; `__proto__`, `constructor` and
// `prototype` segments make the whole path invalid. Never throws: a malformed path or a missing
// value reads as undefined.

import { BoundedMemo } from '../../platform/common/bounded-memo.js';

export type PathSegment = string | number;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const parsed = new BoundedMemo<string, readonly PathSegment[] | null>(1000);

/** The path's segments, or null when the path is malformed or names a forbidden segment. */
export function parsePath(path: string): readonly PathSegment[] | null {
  return parsed.get(path, parseUncached);
}

function parseUncached(raw: string): readonly PathSegment[] | null {
  const path = raw.trim();
  if (path.length === 0 || path.length > 512) return null;
  const segments: PathSegment[] = [];
  let i = 0;
  if (path[0] === '$') {
    i = 1;
  } else {
    // A bare leading name: `a.b`, `a[0]`.
    const end = nameEnd(path, 0);
    if (end === 0) return null;
    segments.push(path.slice(0, end));
    i = end;
  }
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const end = nameEnd(path, i + 1);
      if (end === i + 1) return null;
      segments.push(path.slice(i + 1, end));
      i = end;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return null;
      const inner = path.slice(i + 1, close).trim();
      const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(inner);
      if (quoted) {
        segments.push(quoted[1] ?? quoted[2] ?? '');
      } else if (/^\d{1,9}$/.test(inner)) {
        segments.push(Number(inner));
      } else {
        return null;
      }
      i = close + 1;
    } else {
      return null;
    }
  }
  for (const s of segments) if (typeof s === 'string' && FORBIDDEN.has(s)) return null;
  return segments;
}

function nameEnd(path: string, from: number): number {
  let i = from;
  while (i < path.length && path[i] !== '.' && path[i] !== '[') i++;
  return i;
}

/** The value at `path` in `root`, or undefined. */
export function readPath(root: unknown, path: string): unknown {
  const segments = parsePath(path);
  if (segments === null) return undefined;
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
