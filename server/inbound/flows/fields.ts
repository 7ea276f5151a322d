// Readers for the fields of a flow's JSON (pure). Each reader returns the value when it is valid
// and otherwise records a problem under `path` (e.g. `nodes[2].config.message`) and returns
// undefined, so that one pass collects every problem.
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { FLOW_LIMITS } from './types.js';

export type Problems = Record<string, string>;

export const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
export const VOICE = /^[A-Za-z0-9._-]{1,64}$/;
export const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;
export const MENU_KEYS = /^[0-9*#]+$/;
/** HH:MM on a 24-hour clock; `24:00` ends a day. */
export const CLOCK_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function problem(problems: Problems, path: string, message: string): undefined {
  if (!Object.hasOwn(problems, path)) problems[path] = message;
  return undefined;
}

export const NODE_ID_RULE = `must be 1-${FLOW_LIMITS.idLength} characters of letters, digits, '_', '.', '-'`;

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

interface TextRule {
  required?: boolean;
  max: number;
  pattern?: RegExp;
  rule?: string;
}

/** A non-blank string of at most `max` characters (optionally matching `pattern`). */
export function readText(obj: Record<string, unknown>, key: string, path: string, problems: Problems, rule: TextRule) {
  const value = obj[key];
  if (value === undefined) return rule.required ? problem(problems, path, 'is required') : undefined;
  if (typeof value !== 'string') return problem(problems, path, 'must be a string');
  if (value.trim() === '') return problem(problems, path, 'must not be empty');
  if (value.length > rule.max) return problem(problems, path, `must be at most ${rule.max} characters`);
  if (rule.pattern && !rule.pattern.test(value)) return problem(problems, path, rule.rule ?? 'is malformed');
  return value;
}

export function readInt(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  problems: Problems,
  range: { min: number; max: number },
): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    return problem(problems, path, `must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

export function readBool(obj: Record<string, unknown>, key: string, path: string, problems: Problems) {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') return problem(problems, path, 'must be true or false');
  return value;
}

/** A reference to another node: syntax only here; existence is checked on the whole graph. */
export function readRef(obj: Record<string, unknown>, key: string, path: string, problems: Problems, required: boolean) {
  const value = obj[key];
  if (value === undefined) return required ? problem(problems, path, 'is required') : undefined;
  if (!isNodeId(value)) return problem(problems, path, `must be a node id (${NODE_ID_RULE})`);
  return value;
}

export function isHttpUrl(value: string): boolean {
  if (value.length > FLOW_LIMITS.urlLength) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function readUrl(obj: Record<string, unknown>, key: string, path: string, problems: Problems) {
  const value = readText(obj, key, path, problems, { required: true, max: FLOW_LIMITS.urlLength });
  if (value === undefined) return undefined;
  if (!isHttpUrl(value)) return problem(problems, path, 'must be an absolute http or https URL');
  return value;
}

export function readTimeZone(obj: Record<string, unknown>, key: string, path: string, problems: Problems) {
  const value = readText(obj, key, path, problems, { required: true, max: 64 });
  if (value === undefined) return undefined;
  if (!isValidTimeZone(value)) return problem(problems, path, 'must be an IANA time zone name, e.g. America/New_York');
  return value;
}

/** Records every key of `obj` that is not in `allowed` as not allowed. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string, problems: Problems) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problem(problems, `${path}.${key}`, 'is not allowed');
  }
}
