// Which lead field each CSV column fills (pure): seed 002's fieldMapping ({"CSV header": "field"},
// snake_case or camelCase field names, `customFields.<key>`, '' to skip), else the header's own
// name (`Phone Number`, `phoneNumber`, `first_name`, `Email Address`, seed 004's `scheduledFor`,
// ...); every other column goes to customFields under its header. A file without a header row is
// read in the template's column order.
import { TEMPLATE_COLUMNS } from '../leads/template.js';

export const LEAD_FIELDS = ['name', 'firstName', 'lastName', 'company', 'phone', 'email', 'country', 'timeZone', 'priority', 'stage', 'notes', 'nextCallAt'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

export type ColumnTarget = { kind: 'field'; field: LeadField } | { kind: 'custom'; key: string } | { kind: 'skip' };

export interface ColumnPlan {
  /** One target per column, in file order. */
  targets: ColumnTarget[];
  /** header -> what it fills, for people (`customFields.<key>` / `(skipped)`). */
  described: Record<string, string>;
}

/**
 * `record[key] = value` as an own property whatever the key: a header is any text, and a plain
 * assignment to `__proto__` would set the object's prototype instead (the column silently lost).
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

const SYNONYMS: Record<string, LeadField> = {};
const add = (field: LeadField, names: string[]) => {
  for (const n of [field, ...names]) SYNONYMS[squash(n)] = field;
};
add('phone', ['phone number', 'phone_number', 'phone no', 'mobile', 'mobile number', 'cell', 'cell phone', 'telephone', 'tel', 'contact number', 'number', 'phone_normalized']);
add('firstName', ['first_name', 'first', 'given name', 'fname', 'forename']);
add('lastName', ['last_name', 'last', 'surname', 'family name', 'lname']);
add('name', ['full name', 'full_name', 'contact name', 'lead name']);
add('company', ['company name', 'organization', 'organisation', 'business', 'account', 'employer']);
add('email', ['email address', 'e-mail', 'mail']);
add('country', ['country code', 'country_code']);
add('timeZone', ['time zone', 'time_zone', 'timezone', 'tz']);
add('priority', []);
add('stage', ['status', 'lead status', 'lead stage']);
add('notes', ['note', 'comments', 'comment', 'description']);
add('nextCallAt', ['next_call_at', 'scheduled for', 'scheduledFor', 'scheduled at', 'callback at', 'call at']);

/** A field name as a fieldMapping may give it (`first_name`, `firstName`, `customFields.x`, ''); undefined when unknown. */
export function parseTarget(text: string): ColumnTarget | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'skip' };
  const custom = /^(?:customFields|custom_fields|custom)\.(.{1,100})$/.exec(trimmed);
  if (custom) return { kind: 'custom', key: custom[1]! };
  const field = (LEAD_FIELDS as readonly string[]).find((f) => squash(f) === squash(trimmed));
  if (field) return { kind: 'field', field: field as LeadField };
  return undefined;
}

function describe(target: ColumnTarget): string {
  return target.kind === 'field' ? target.field : target.kind === 'custom' ? `customFields.${target.key}` : '(skipped)';
}

/** The plan for a header row (or, without one, the template's order); a list of problems when it cannot work. */
export function planColumns(header: string[] | null, columnCount: number, mapping: Record<string, string> | undefined): ColumnPlan | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const names = header ?? Array.from({ length: columnCount }, (_, i) => TEMPLATE_COLUMNS[i] ?? `column${i + 1}`);
  const targets: ColumnTarget[] = names.map((raw, i) => {
    const name = raw.trim();
    if (mapping && Object.hasOwn(mapping, name)) return parseTarget(mapping[name]!) ?? { kind: 'skip' };
    if (header === null && i < TEMPLATE_COLUMNS.length) return { kind: 'field', field: TEMPLATE_COLUMNS[i]! };
    // (own keys only: a column named `Constructor` is a custom field, not Object's constructor)
    const squashed = squash(name);
    if (Object.hasOwn(SYNONYMS, squashed)) return { kind: 'field', field: SYNONYMS[squashed]! };
    return name === '' ? { kind: 'skip' } : { kind: 'custom', key: name.slice(0, 100) };
  });
  if (mapping) {
    const unknownTargets = Object.entries(mapping).filter(([, target]) => parseTarget(target) === undefined);
    if (unknownTargets.length > 0) problems.fieldMapping = `names no lead field: ${unknownTargets.map(([k, v]) => `${k} -> ${v}`).join(', ')} (fields: ${LEAD_FIELDS.join(', ')}, customFields.<key>)`;
    const missing = Object.keys(mapping).filter((k) => !names.some((n) => n.trim() === k));
    if (missing.length > 0 && header !== null) problems.fieldMapping = `names columns the file does not have: ${missing.join(', ')}`;
  }
  if (header?.some((name) => name.includes('\u0000'))) problems.file = 'has a NUL character (U+0000) in its header row';
  const seen = new Map<string, string>();
  for (const [i, target] of targets.entries()) {
    if (target.kind !== 'field') continue;
    const before = seen.get(target.field);
    if (before !== undefined) problems.file = `columns "${before}" and "${names[i]}" both fill ${target.field}`;
    seen.set(target.field, names[i]!);
  }
  if (!seen.has('phone') && !problems.fieldMapping) problems.file = 'has no phone column (name one phone, phoneNumber, Phone Number, ... or map one with fieldMapping)';
  if (Object.keys(problems).length > 0) return { problems };
  // A header repeated (`Tag,Tag`) or cut to the same 100 characters: each column keeps its own
  // custom field and its own line in `described` (`Tag`, `Tag (2)`), never one overwriting another.
  const keys = new Set<string>();
  const unique = (wanted: string, max: number, taken: Set<string>) => {
    let key = wanted;
    for (let n = 2; taken.has(key); n += 1) key = `${wanted.slice(0, max - ` (${n})`.length)} (${n})`;
    taken.add(key);
    return key;
  };
  const planned = targets.map((target) => (target.kind === 'custom' ? { kind: 'custom' as const, key: unique(target.key, 100, keys) } : target));
  const labels = new Set<string>();
  const described: Record<string, string> = {};
  names.forEach((n, i) => {
    setOwn(described, unique(n.trim() || `column${i + 1}`, Number.MAX_SAFE_INTEGER, labels), describe(planned[i]!));
  });
  return { targets: planned, described };
}
