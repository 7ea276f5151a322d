// Running one step of a call flow (pure): the TwiML for a node, or the routing the webhook must
// do. The flow runs statelessly across webhooks: every URL in the TwiML comes from ctx.actionUrl
// and names the node to run next (with `gather=1&attempt=N` for a Menu's keys, `attempt=N` for a
// repeated menu, `recorded=1` for a finished voicemail).
//
// Steps that need no caller action are taken at once, without a round trip: a BusinessHours node
// continues at its open/closed node, and a Menu given the caller's keys (ctx.digits) continues at
// the chosen node. `nodeId` in the result is the node that was finally rendered.
import { isOpen } from '../../platform/common/weekly-hours.js';
import { findNode } from './find-node.js';
import { normaliseAttempt, resolveMenuInput } from './menu.js';
import {
  FLOW_ERROR_MESSAGE,
  hangupTwiml,
  menuTwiml,
  playTwiml,
  sayTwiml,
  voicemailTwiml,
  type ActionUrl,
  type AudioUrl,
} from './node-twiml.js';
import type { FlowDefinition, RouteTarget } from './types.js';

export interface RenderContext {
  /** The absolute webhook URL that runs `nextNodeId` (with `extra` as query parameters). */
  actionUrl: ActionUrl;
  /** The URL of an uploaded audio a Play node names (`audioId`). */
  audioUrl: AudioUrl;
  now: Date;
  /** The caller's keys, on a Menu's Gather callback (`Digits`; '' for none). */
  digits?: string;
  /** The play number of a Menu (from its URL), 1 when absent. */
  attempt?: number;
  /** True on a Voicemail's Record callback: the message is in, end the call. */
  recorded?: boolean;
}

export type RenderResult =
  | { kind: 'twiml'; nodeId: string; twiml: string }
  /** Route the call; when routing finds nobody, continue at `fallbackNodeId` (or hang up). */
  | { kind: 'route'; nodeId: string; target: RouteTarget; number?: string; fallbackNodeId?: string }
  /** The flow cannot continue (a stale URL naming a deleted node, a graph that loops): apologise and hang up. */
  | { kind: 'error'; nodeId: string; reason: 'unknown_node' | 'too_many_steps'; twiml: string };

export function renderNode(flow: FlowDefinition, nodeId: string, ctx: RenderContext): RenderResult {
  let id = nodeId;
  let digits = ctx.digits;
  let attempt = normaliseAttempt(ctx.attempt);
  let recorded = ctx.recorded === true;
  // A validated flow has no cycle without input, so a chain of immediate steps visits each node once.
  for (let step = 0; step <= flow.nodes.length; step += 1) {
    const node = findNode(flow, id);
    if (node === undefined) return failure(id, 'unknown_node');
    const twiml = (text: string): RenderResult => ({ kind: 'twiml', nodeId: node.id, twiml: text });
    switch (node.type) {
      case 'Say':
        return twiml(sayTwiml(node.config, ctx.actionUrl));
      case 'Play':
        return twiml(playTwiml(node.config, ctx.actionUrl, ctx.audioUrl));
      case 'Voicemail':
        return twiml(recorded ? hangupTwiml({}) : voicemailTwiml(node.id, node.config, ctx.actionUrl));
      case 'Hangup':
        return twiml(hangupTwiml(node.config));
      case 'Route':
        return route(node.id, node.config.target, node.config.number, node.config.next);
      case 'BusinessHours':
        id = isOpen(node.config.hours, node.config.timeZone, ctx.now) ? node.config.open : node.config.closed;
        break;
      case 'Menu': {
        if (digits === undefined) return twiml(menuTwiml(node.id, node.config, attempt, ctx.actionUrl));
        const next = resolveMenuInput(flow, node.id, digits, attempt);
        if (next === undefined || next.kind === 'hangup') return twiml(hangupTwiml({}));
        if (next.kind === 'repeat') return twiml(menuTwiml(node.id, node.config, next.attempt, ctx.actionUrl));
        id = next.nodeId;
        break;
      }
    }
    // The callback parameters belong to the node they were sent to, not to the next one.
    digits = undefined;
    attempt = 1;
    recorded = false;
  }
  return failure(id, 'too_many_steps');
}

function route(nodeId: string, target: RouteTarget, number: string | undefined, next: string | undefined): RenderResult {
  const result: RenderResult = { kind: 'route', nodeId, target };
  if (number !== undefined) result.number = number;
  if (next !== undefined) result.fallbackNodeId = next;
  return result;
}

function failure(nodeId: string, reason: 'unknown_node' | 'too_many_steps'): RenderResult {
  return { kind: 'error', nodeId, reason, twiml: hangupTwiml({ message: FLOW_ERROR_MESSAGE }) };
}

export { resolveMenuInput, type MenuResolution } from './menu.js';
