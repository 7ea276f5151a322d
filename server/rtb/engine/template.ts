// Seed 001 request-body templates: `{requestId}`, `{campaignId}`, `{callerId}`, `{callStartTime}`,
// `{minBid}`, `{maxBid}`, `{currency}`, `{timestamp}`, plus `{callerState}`, `{callerZip}`.
// Unknown `{placeholders}` are left as they are.
//
// Escaping follows the body's syntax, so that no caller-controlled value (a callerId with `"`,
// `\` or a newline) can change the structure of the request:
// - json: a placeholder INSIDE a JSON string literal (`"id": "{callerId}"`, the seed's form)
//   becomes the JSON-escaped text without quotes; null becomes the empty string. A placeholder
//   OUTSIDE a string (`"minBid": {minBid}`) becomes a complete JSON value: a number, a quoted
//   string, or null. The template is scanned once to know which is which.
// - form: values percent-encoded (encodeURIComponent); null is empty.
// - xml: values XML-escaped (& < > " '); null is empty.
// - text: values as they are; null is empty.

export type TemplateValue = string | number | null;
export type TemplateVars = Readonly<Record<TemplateVariable, TemplateValue>>;
export type TemplateMode = 'json' | 'form' | 'xml' | 'text';

export const TEMPLATE_VARIABLES = [
  'requestId',
  'campaignId',
  'callerId',
  'callStartTime',
  'minBid',
  'maxBid',
  'currency',
  'timestamp',
  'callerState',
  'callerZip',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
const PLACEHOLDER = /\{([A-Za-z]+)\}/y;

export function renderTemplate(template: string, vars: TemplateVars, mode: TemplateMode = 'json'): string {
  let out = '';
  let inString = false;
  let i = 0;
  let copiedFrom = 0;
  const n = template.length;
  while (i < n) {
    const c = template.charCodeAt(i);
    if (mode === 'json' && inString && c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (mode === 'json' && c === 34 /* " */) {
      inString = !inString;
      i++;
      continue;
    }
    if (c === 123 /* { */) {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(template);
      const name = m?.[1];
      if (m && name !== undefined && KNOWN.has(name)) {
        out += template.slice(copiedFrom, i) + encode(vars[name as TemplateVariable], mode, inString);
        i += m[0].length;
        copiedFrom = i;
        continue;
      }
    }
    i++;
  }
  return out + template.slice(copiedFrom);
}

function encode(value: TemplateValue, mode: TemplateMode, inJsonString: boolean): string {
  switch (mode) {
    case 'json':
      if (inJsonString) return value === null ? '' : JSON.stringify(String(value)).slice(1, -1);
      if (value === null) return 'null';
      return typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : JSON.stringify(value);
    case 'form':
      return value === null ? '' : encodeURIComponent(String(value));
    case 'xml':
      return value === null ? '' : escapeXml(String(value));
    case 'text':
      return value === null ? '' : String(value);
  }
}

/** XML-escapes the five special characters and drops control characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
