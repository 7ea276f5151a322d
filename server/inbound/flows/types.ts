// Call flows (IVR): the flow graph, its node types, limits and defaults. Types only.
//
// A flow (a campaign's `flowDefinition`, seed 000) is a graph of typed nodes:
//
//   { "startNodeId": "menu_1",
//     "nodes": [ { "id": "menu_1", "type": "Menu", "name": "Main Menu", "config": { ... } }, ... ] }
//
// Node ids: 1-64 characters of [A-Za-z0-9_.-], unique in the flow. `name` is a label (<= 200).
// Edges are node ids in `config`; a node with no outgoing edge ends the call.
//
//   type           config                                                       edges
//   Say            message, voice?, language?, next?                            next
//   Play           url (http/https) or audioId (an uploaded audio),             next
//                  loop? (1-10), next?
//   Menu           message, voice?, language?, options: [{ digit, next }],      options[].next (caller
//                  timeoutSeconds? (1-60, 5), numDigits? (1-20, 1),             input), invalid (no or
//                  invalid?, maxRetries? (0-10, 2)                              invalid input)
//   BusinessHours  timeZone (IANA), hours: { monday?: { start, end }, ... },    open, closed
//                  open, closed
//   Route          target: buyers | rtb | number, number? (E.164, only and      next (routing found
//                  required for `number`), next?                                nobody)
//   Voicemail      message?, voice?, language?, maxLengthSeconds? (1-3600,      (none: ends the call)
//                  120), transcribe?
//   Hangup         message?, voice?, language?                                  (none)
//
// Menu options: `digit` is the key sequence the caller types: one key ('0'-'9', '*', '#'), or up
// to `numDigits` keys when numDigits > 1. Seed 000 names the target `action`; it is accepted as
// an alias of `next` (validation returns it as `next`). Digits are unique within a menu.
// No input or an unknown entry plays the menu again while `attempt <= maxRetries`, then goes to
// `invalid` (or hangs up when there is none). `attempt` counts plays of the menu, from 1.
//
// BusinessHours `hours` has the shape of a buyer's operatingHours: HH:MM wall-clock times in
// `timeZone`; `end` before `start` runs past midnight into the next day; `24:00` ends a day; a
// weekday that is not listed is closed.
//
// A draft flow may be incomplete (seed 001 saves `nodes: []`): only its shape is checked. An
// active flow is complete: the start node and every referenced node exist, each config is valid,
// every node is reachable from the start, and no cycle can repeat without caller input (every
// cycle must take a Menu option edge; a Menu's `invalid` edge is taken without input, so it does
// not count — use maxRetries to repeat a menu).
//
// Messages are spoken with Twilio <Say>; no text is ever evaluated or used as a template.
import type { DayHours, OperatingHours, Weekday } from '../../../db/types.js';

export type { DayHours, OperatingHours, Weekday };

export const NODE_TYPES = ['Say', 'Play', 'Menu', 'BusinessHours', 'Route', 'Voicemail', 'Hangup'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const ROUTE_TARGETS = ['buyers', 'rtb', 'number'] as const;
export type RouteTarget = (typeof ROUTE_TARGETS)[number];

export const WEEKDAYS: readonly Weekday[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

/** Optional voice settings for spoken text, passed to Twilio <Say> as given. */
export interface Speech {
  voice?: string;
  language?: string;
}

export interface SayConfig extends Speech {
  message: string;
  next?: string;
}

/** Exactly one of `url` and `audioId` (an uploaded audio, played through a signed URL we serve). */
export interface PlayConfig {
  url?: string;
  audioId?: string;
  loop?: number;
  next?: string;
}

export interface MenuOption {
  /** The keys the caller types: '0'-'9', '*', '#' (one key unless numDigits > 1). */
  digit: string;
  next: string;
}

export interface MenuConfig extends Speech {
  message: string;
  options: MenuOption[];
  timeoutSeconds?: number;
  numDigits?: number;
  invalid?: string;
  maxRetries?: number;
}

export interface BusinessHoursConfig {
  timeZone: string;
  hours: OperatingHours;
  open: string;
  closed: string;
}

export interface RouteConfig {
  target: RouteTarget;
  number?: string;
  next?: string;
}

export interface VoicemailConfig extends Speech {
  message?: string;
  maxLengthSeconds?: number;
  transcribe?: boolean;
}

export interface HangupConfig extends Speech {
  message?: string;
}

interface NodeOf<T extends NodeType, C> {
  id: string;
  type: T;
  name?: string;
  config: C;
}

export type SayNode = NodeOf<'Say', SayConfig>;
export type PlayNode = NodeOf<'Play', PlayConfig>;
export type MenuNode = NodeOf<'Menu', MenuConfig>;
export type BusinessHoursNode = NodeOf<'BusinessHours', BusinessHoursConfig>;
export type RouteNode = NodeOf<'Route', RouteConfig>;
export type VoicemailNode = NodeOf<'Voicemail', VoicemailConfig>;
export type HangupNode = NodeOf<'Hangup', HangupConfig>;

export type FlowNode = SayNode | PlayNode | MenuNode | BusinessHoursNode | RouteNode | VoicemailNode | HangupNode;

/** A complete flow (as returned by validateFlow in 'active' mode). */
export interface FlowDefinition {
  startNodeId: string;
  nodes: FlowNode[];
}

/** A draft: shapes only; configs are kept as given. */
export interface DraftFlowNode {
  id: string;
  type: NodeType;
  name?: string;
  config?: Record<string, unknown>;
}

export interface DraftFlowDefinition {
  startNodeId?: string;
  nodes: DraftFlowNode[];
}

export type FlowMode = 'draft' | 'active';

export const FLOW_LIMITS = {
  nodes: 200,
  idLength: 64,
  nameLength: 200,
  messageLength: 4096,
  urlLength: 2048,
  voiceLength: 64,
  languageLength: 16,
  menuOptions: 50,
  loop: { min: 1, max: 10 },
  timeoutSeconds: { min: 1, max: 60 },
  numDigits: { min: 1, max: 20 },
  maxRetries: { min: 0, max: 10 },
  maxLengthSeconds: { min: 1, max: 3600 },
} as const;

export const FLOW_DEFAULTS = {
  timeoutSeconds: 5,
  numDigits: 1,
  maxRetries: 2,
  maxLengthSeconds: 120,
} as const;
