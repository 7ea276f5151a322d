// Reads the TwiML our webhooks answer, as Twilio would, into the verbs the simulated carrier
// plays (pure). Only what the carrier acts on is kept: <Dial> (its numbers or SIP URIs, action, timeout; or its
// <Conference> with the attributes the simulated conferences use),
// <Gather> (action, timeout, numDigits, finishOnKey), <Record> (action), <Redirect>, <Pause>, <Hangup> / <Reject>,
// <Connect><ConversationRelay> (its WebSocket URL, parameters and action); <Say>
// and <Play> are kept for the record of the call. Parsed with fast-xml-parser (entities decoded).
import { XMLParser } from 'fast-xml-parser';

export type Verb =
  | { verb: 'Dial'; numbers: string[]; action: string | null; timeoutSec: number }
  | { verb: 'Conference'; name: string; statusCallback: string | null; events: string[]; endOnExit: boolean; startOnEnter: boolean }
  | { verb: 'Gather'; action: string | null; timeoutSec: number; numDigits: number | null; finishOnKey: string }
  | { verb: 'Record'; action: string | null; maxLengthSec: number }
  | { verb: 'Redirect'; url: string }
  | { verb: 'Pause'; lengthSec: number }
  | { verb: 'Hangup' | 'Reject' }
  | { verb: 'Say'; text: string }
  | { verb: 'Play'; text: string; loop: number }
  | { verb: 'ConversationRelay'; url: string; action: string | null; welcomeGreeting: string | null; parameters: Record<string, string> }
  | { verb: 'Other'; name: string };

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

function nameOf(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

function children(node: Node, name: string): Node[] {
  const value = node[name];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function textOf(nodes: Node[]): string {
  return nodes
    .map((n) => (typeof n['#text'] === 'string' ? n['#text'] : ''))
    .join('')
    .trim();
}

function seconds(raw: string | undefined, fallback: number): number {
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

function verbOf(node: Node): Verb | undefined {
  const name = nameOf(node);
  if (name === undefined || name === '#text') return undefined;
  const attrs = node[':@'] ?? {};
  const inner = children(node, name);
  switch (name) {
    case 'Dial': {
      const conference = inner.find((n) => nameOf(n) === 'Conference');
      if (conference) {
        const at = conference[':@'] ?? {};
        return {
          verb: 'Conference',
          name: textOf(children(conference, 'Conference')),
          statusCallback: at.statusCallback ?? null,
          events: (at.statusCallbackEvent ?? '').split(/[\s,]+/).filter(Boolean),
          endOnExit: at.endConferenceOnExit === 'true',
          startOnEnter: at.startConferenceOnEnter !== 'false',
        };
      }
      // <Number> and <Sip> (a destination of an RTB winner) are dialled alike.
      const numbers = inner.flatMap((n) => {
        const noun = nameOf(n);
        return noun === 'Number' || noun === 'Sip' ? [textOf(children(n, noun))] : [];
      });
      const direct = textOf(inner);
      return { verb: 'Dial', numbers: direct ? [direct, ...numbers] : numbers, action: attrs.action ?? null, timeoutSec: seconds(attrs.timeout, 30) };
    }
    case 'Gather': {
      // Twilio stops collecting at numDigits keys, and at a finishOnKey key (default '#'; '' for none).
      const numDigits = attrs.numDigits === undefined ? NaN : Number(attrs.numDigits);
      return {
        verb: 'Gather',
        action: attrs.action ?? null,
        timeoutSec: seconds(attrs.timeout, 5),
        numDigits: Number.isInteger(numDigits) && numDigits >= 1 ? numDigits : null,
        finishOnKey: attrs.finishOnKey ?? '#',
      };
    }
    case 'Record':
      return { verb: 'Record', action: attrs.action ?? null, maxLengthSec: seconds(attrs.maxLength, 3600) };
    case 'Redirect':
      return { verb: 'Redirect', url: textOf(inner) };
    case 'Pause':
      return { verb: 'Pause', lengthSec: seconds(attrs.length, 1) };
    case 'Hangup':
    case 'Reject':
      return { verb: name };
    case 'Say':
      return { verb: name, text: textOf(inner) };
    case 'Play': {
      // loop="0": played until something else happens to the call (hold music).
      const loop = attrs.loop === undefined ? 1 : Number(attrs.loop);
      return { verb: name, text: textOf(inner), loop: Number.isInteger(loop) && loop >= 0 ? loop : 1 };
    }
    case 'Connect': {
      // <Connect action><ConversationRelay url …><Parameter name value/></ConversationRelay></Connect>
      const relay = inner.find((n) => nameOf(n) === 'ConversationRelay');
      if (!relay) return { verb: 'Other', name };
      const at = relay[':@'] ?? {};
      const parameters: Record<string, string> = {};
      for (const p of children(relay, 'ConversationRelay').filter((n) => nameOf(n) === 'Parameter')) {
        const pa = p[':@'] ?? {};
        if (pa.name !== undefined) parameters[pa.name] = pa.value ?? '';
      }
      return { verb: 'ConversationRelay', url: at.url ?? '', action: attrs.action ?? null, welcomeGreeting: at.welcomeGreeting ?? null, parameters };
    }
    default:
      return { verb: 'Other', name };
  }
}

/** The verbs of a TwiML document, in order; null when the answer is not TwiML (no <Response>). */
export function readTwimlDocument(xml: string): Verb[] | null {
  let doc: Node[];
  try {
    doc = parser.parse(xml) as Node[];
  } catch {
    return null;
  }
  const response = Array.isArray(doc) ? doc.find((n) => nameOf(n) === 'Response') : undefined;
  if (!response) return null;
  return children(response, 'Response')
    .map(verbOf)
    .filter((v): v is Verb => v !== undefined);
}

/** The verbs of a TwiML document, in order; an answer that is not TwiML has none. */
export function readTwiml(xml: string): Verb[] {
  return readTwimlDocument(xml) ?? [];
}

/** One line per verb, for the record of a simulated call. */
export function describeVerb(v: Verb): string {
  switch (v.verb) {
    case 'Dial':
      return `Dial ${v.numbers.join(', ')}`.trim();
    case 'Conference':
      return `Conference ${v.name}`;
    case 'Gather':
      return 'Gather';
    case 'Record':
      return 'Record';
    case 'Redirect':
      return `Redirect ${v.url}`;
    case 'Pause':
      return `Pause ${v.lengthSec}s`;
    case 'Say':
    case 'Play': {
      const text = v.text.length > 60 ? `${v.text.slice(0, 57)}...` : v.text;
      return `${v.verb} ${text}`;
    }
    case 'ConversationRelay':
      return `ConversationRelay ${v.url}`;
    case 'Other':
      return v.name;
    default:
      return v.verb;
  }
}

/** The Digits Twilio sends for the keys pressed at a <Gather>: up to numDigits, before the first finish key. */
export function gatheredDigits(keys: string, gather: { numDigits: number | null; finishOnKey: string }): string {
  let digits = '';
  for (const key of keys) {
    if (gather.finishOnKey.includes(key)) break;
    digits += key;
    if (gather.numDigits !== null && digits.length >= gather.numDigits) break;
  }
  return digits;
}
