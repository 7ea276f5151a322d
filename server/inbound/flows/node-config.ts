// Reading one node's `config` for an active flow (pure): required fields per node type, bounds,
// and the edges (references to other nodes) the config holds. Whether referenced nodes exist is
// checked on the whole graph (graph.ts).
import { E164 } from '../../platform/common/phone.js';
import {
  CLOCK_TIME,
  LANGUAGE,
  MENU_KEYS,
  VOICE,
  isRecord,
  problem,
  readBool,
  readInt,
  readRef,
  readText,
  readTimeZone,
  readUrl,
  rejectUnknownKeys,
  type Problems,
} from './fields.js';
import {
  FLOW_DEFAULTS,
  FLOW_LIMITS,
  ROUTE_TARGETS,
  WEEKDAYS,
  type BusinessHoursConfig,
  type DayHours,
  type FlowNode,
  type HangupConfig,
  type MenuConfig,
  type MenuOption,
  type NodeType,
  type OperatingHours,
  type PlayConfig,
  type RouteConfig,
  type RouteTarget,
  type SayConfig,
  type Speech,
  type VoicemailConfig,
} from './types.js';

/** A reference from a node to another: `input` when it is taken only after the caller typed keys. */
export interface EdgeRef {
  to: string;
  path: string;
  input: boolean;
}

export interface ReadConfig {
  /** undefined when the config has problems (they are in `problems`). */
  config: FlowNode['config'] | undefined;
  edges: EdgeRef[];
}

type Cfg = Record<string, unknown>;

export function readNodeConfig(type: NodeType, config: Cfg, path: string, problems: Problems): ReadConfig {
  const local: Problems = {};
  const edges: EdgeRef[] = [];
  const ref = (key: string, required: boolean, input = false): string | undefined => {
    const to = readRef(config, key, `${path}.${key}`, local, required);
    if (to !== undefined) edges.push({ to, path: `${path}.${key}`, input });
    return to;
  };
  const read = READERS[type];
  const parsed = read(config, path, local, ref, edges);
  Object.assign(problems, local);
  return { config: Object.keys(local).length === 0 ? parsed : undefined, edges };
}

type Ref = (key: string, required: boolean, input?: boolean) => string | undefined;
type Reader = (config: Cfg, path: string, problems: Problems, ref: Ref, edges: EdgeRef[]) => FlowNode['config'];

const SPEECH_KEYS = ['voice', 'language'] as const;

function readSpeech(config: Cfg, path: string, problems: Problems): Speech {
  const speech: Speech = {};
  const voice = readText(config, 'voice', `${path}.voice`, problems, {
    max: FLOW_LIMITS.voiceLength,
    pattern: VOICE,
    rule: 'must be a Twilio voice name, e.g. alice or Polly.Joanna',
  });
  const language = readText(config, 'language', `${path}.language`, problems, {
    max: FLOW_LIMITS.languageLength,
    pattern: LANGUAGE,
    rule: 'must be a language tag, e.g. en-US',
  });
  if (voice !== undefined) speech.voice = voice;
  if (language !== undefined) speech.language = language;
  return speech;
}

function message(config: Cfg, path: string, problems: Problems, required: boolean): string | undefined {
  return readText(config, 'message', `${path}.message`, problems, { required, max: FLOW_LIMITS.messageLength });
}

const readSay: Reader = (config, path, problems, ref): SayConfig => {
  rejectUnknownKeys(config, ['message', 'next', ...SPEECH_KEYS], path, problems);
  const out: SayConfig = { message: message(config, path, problems, true) ?? '', ...readSpeech(config, path, problems) };
  const next = ref('next', false);
  if (next !== undefined) out.next = next;
  return out;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const readPlay: Reader = (config, path, problems, ref): PlayConfig => {
  rejectUnknownKeys(config, ['url', 'audioId', 'loop', 'next'], path, problems);
  const out: PlayConfig = {};
  if (config.audioId !== undefined && config.url !== undefined) problem(problems, `${path}.audioId`, 'give url or audioId, not both');
  else if (config.audioId !== undefined) {
    const audioId = readText(config, 'audioId', `${path}.audioId`, problems, { max: 36, pattern: UUID, rule: 'must be the id of an uploaded audio (/api/audio)' });
    if (audioId !== undefined) out.audioId = audioId.toLowerCase();
  } else out.url = readUrl(config, 'url', `${path}.url`, problems) ?? '';
  const loop = readInt(config, 'loop', `${path}.loop`, problems, FLOW_LIMITS.loop);
  if (loop !== undefined) out.loop = loop;
  const next = ref('next', false);
  if (next !== undefined) out.next = next;
  return out;
};

const readMenu: Reader = (config, path, problems, ref, edges): MenuConfig => {
  rejectUnknownKeys(
    config,
    ['message', 'options', 'timeoutSeconds', 'numDigits', 'invalid', 'maxRetries', ...SPEECH_KEYS],
    path,
    problems,
  );
  const out: MenuConfig = {
    message: message(config, path, problems, true) ?? '',
    ...readSpeech(config, path, problems),
    options: [],
  };
  const timeoutSeconds = readInt(config, 'timeoutSeconds', `${path}.timeoutSeconds`, problems, FLOW_LIMITS.timeoutSeconds);
  const numDigits = readInt(config, 'numDigits', `${path}.numDigits`, problems, FLOW_LIMITS.numDigits);
  const maxRetries = readInt(config, 'maxRetries', `${path}.maxRetries`, problems, FLOW_LIMITS.maxRetries);
  if (timeoutSeconds !== undefined) out.timeoutSeconds = timeoutSeconds;
  if (numDigits !== undefined) out.numDigits = numDigits;
  if (maxRetries !== undefined) out.maxRetries = maxRetries;
  out.options = readOptions(config.options, `${path}.options`, problems, numDigits ?? FLOW_DEFAULTS.numDigits, edges);
  const invalid = ref('invalid', false);
  if (invalid !== undefined) out.invalid = invalid;
  return out;
};

function readOptions(value: unknown, path: string, problems: Problems, numDigits: number, edges: EdgeRef[]): MenuOption[] {
  if (value === undefined) return problem(problems, path, 'is required') ?? [];
  if (!Array.isArray(value)) return problem(problems, path, 'must be an array') ?? [];
  if (value.length === 0) return problem(problems, path, 'must have at least one option') ?? [];
  if (value.length > FLOW_LIMITS.menuOptions) {
    return problem(problems, path, `must have at most ${FLOW_LIMITS.menuOptions} options`) ?? [];
  }
  const options: MenuOption[] = [];
  const seen = new Map<string, number>();
  value.forEach((option: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(option)) return problem(problems, at, 'must be an object');
    rejectUnknownKeys(option, ['digit', 'next', 'action'], at, problems);
    const digit = readText(option, 'digit', `${at}.digit`, problems, {
      required: true,
      max: FLOW_LIMITS.numDigits.max,
      pattern: MENU_KEYS,
      rule: "must be keys '0'-'9', '*' or '#'",
    });
    if (digit !== undefined && digit.length > numDigits) {
      problem(problems, `${at}.digit`, `must be at most numDigits (${numDigits}) keys`);
    } else if (digit !== undefined) {
      const first = seen.get(digit);
      if (first !== undefined) problem(problems, `${at}.digit`, `duplicates ${path}[${first}].digit`);
      else seen.set(digit, i);
    }
    const next = readOptionTarget(option, at, problems);
    if (next !== undefined) edges.push({ to: next.to, path: next.path, input: true });
    if (digit !== undefined && next !== undefined) options.push({ digit, next: next.to });
    return undefined;
  });
  return options;
}

/** `next`, or seed 000's `action` as its alias. */
function readOptionTarget(option: Cfg, at: string, problems: Problems): { to: string; path: string } | undefined {
  if (option.next !== undefined && option.action !== undefined && option.next !== option.action) {
    return problem(problems, `${at}.action`, 'must equal next (action is an alias of next)');
  }
  const key = option.next !== undefined || option.action === undefined ? 'next' : 'action';
  const to = readRef(option, key, `${at}.${key}`, problems, true);
  return to === undefined ? undefined : { to, path: `${at}.${key}` };
}

const readBusinessHours: Reader = (config, path, problems, ref): BusinessHoursConfig => {
  rejectUnknownKeys(config, ['timeZone', 'hours', 'open', 'closed'], path, problems);
  return {
    timeZone: readTimeZone(config, 'timeZone', `${path}.timeZone`, problems) ?? '',
    hours: readHours(config.hours, `${path}.hours`, problems),
    open: ref('open', true) ?? '',
    closed: ref('closed', true) ?? '',
  };
};

function readHours(value: unknown, path: string, problems: Problems): OperatingHours {
  if (value === undefined) return problem(problems, path, 'is required') ?? {};
  if (!isRecord(value)) return problem(problems, path, 'must be an object of weekdays') ?? {};
  rejectUnknownKeys(value, WEEKDAYS, path, problems);
  const hours: OperatingHours = {};
  for (const day of WEEKDAYS) {
    const range = value[day];
    if (range === undefined) continue;
    const at = `${path}.${day}`;
    if (!isRecord(range)) {
      problem(problems, at, 'must be an object with start and end');
      continue;
    }
    rejectUnknownKeys(range, ['start', 'end'], at, problems);
    const clock = { required: true, max: 5, pattern: CLOCK_TIME, rule: 'must be HH:MM (24-hour clock)' };
    const start = readText(range, 'start', `${at}.start`, problems, clock);
    const end = readText(range, 'end', `${at}.end`, problems, clock);
    if (start === '24:00') problem(problems, `${at}.start`, 'must be before 24:00');
    else if (start !== undefined && end !== undefined && start === end) problem(problems, at, 'start and end must differ');
    else if (start !== undefined && end !== undefined) hours[day] = { start, end } satisfies DayHours;
  }
  return hours;
}

const readRoute: Reader = (config, path, problems, ref): RouteConfig => {
  rejectUnknownKeys(config, ['target', 'number', 'next'], path, problems);
  const target = config.target;
  const out: RouteConfig = { target: 'buyers' };
  if (target === undefined) problem(problems, `${path}.target`, 'is required');
  else if (!isRouteTarget(target)) problem(problems, `${path}.target`, `must be one of: ${ROUTE_TARGETS.join(', ')}`);
  else out.target = target;
  if (target === 'number') {
    const number = readText(config, 'number', `${path}.number`, problems, {
      required: true,
      max: 16,
      pattern: E164,
      rule: 'must be an E.164 phone number, e.g. +12125551234',
    });
    if (number !== undefined) out.number = number;
  } else if (config.number !== undefined) {
    problem(problems, `${path}.number`, 'is only allowed when target is number');
  }
  const next = ref('next', false);
  if (next !== undefined) out.next = next;
  return out;
};

function isRouteTarget(value: unknown): value is RouteTarget {
  return typeof value === 'string' && (ROUTE_TARGETS as readonly string[]).includes(value);
}

const readVoicemail: Reader = (config, path, problems): VoicemailConfig => {
  rejectUnknownKeys(config, ['message', 'maxLengthSeconds', 'transcribe', ...SPEECH_KEYS], path, problems);
  const out: VoicemailConfig = readSpeech(config, path, problems);
  const text = message(config, path, problems, false);
  const maxLength = FLOW_LIMITS.maxLengthSeconds;
  const maxLengthSeconds = readInt(config, 'maxLengthSeconds', `${path}.maxLengthSeconds`, problems, maxLength);
  const transcribe = readBool(config, 'transcribe', `${path}.transcribe`, problems);
  if (text !== undefined) out.message = text;
  if (maxLengthSeconds !== undefined) out.maxLengthSeconds = maxLengthSeconds;
  if (transcribe !== undefined) out.transcribe = transcribe;
  return out;
};

const readHangup: Reader = (config, path, problems): HangupConfig => {
  rejectUnknownKeys(config, ['message', ...SPEECH_KEYS], path, problems);
  const out: HangupConfig = readSpeech(config, path, problems);
  const text = message(config, path, problems, false);
  if (text !== undefined) out.message = text;
  return out;
};

const READERS: Record<NodeType, Reader> = {
  Say: readSay,
  Play: readPlay,
  Menu: readMenu,
  BusinessHours: readBusinessHours,
  Route: readRoute,
  Voicemail: readVoicemail,
  Hangup: readHangup,
};
