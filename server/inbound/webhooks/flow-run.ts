// One step of a campaign's call flow inside a webhook: render the node (server/inbound/flows, pure) and,
// for a Route node, route the call with the flow's `next` node as the fallback.
import type { CampaignRow } from '../../../db/types.js';
import { FLOW_ERROR_MESSAGE, hangupTwiml as flowHangupTwiml } from '../flows/node-twiml.js';
import { renderNode } from '../flows/render.js';
import { validateFlow } from '../flows/validate.js';
import type { RouteMode } from './candidates.js';
import { routeCall, type OrgCall, type RouteDeps, type RouteOutcome } from './route-call.js';

export interface FlowStepInput {
  call: OrgCall;
  campaign: CampaignRow;
  flow: { id: number; definition: unknown };
  nodeId?: string | undefined;
  digits?: string | undefined;
  attempt?: number | undefined;
  recorded?: boolean | undefined;
  /**
   * The voice webhook's routing of the call, by a delivery that took over the routing claim of
   * one that died: a Route node routes attempt 1 (reusing what the dead delivery reserved).
   */
  resumed?: boolean | undefined;
}

export type FlowStepResult = { twiml: string; node: string; routed?: RouteOutcome | undefined };

export async function runFlowStep(deps: RouteDeps, input: FlowStepInput): Promise<FlowStepResult> {
  const checked = validateFlow(input.flow.definition, 'active');
  // An active flow was validated when it was activated; a stored graph that no longer validates
  // (edited outside the API) ends the call politely rather than failing the webhook.
  if (!checked.ok) return { twiml: flowHangupTwiml({ message: FLOW_ERROR_MESSAGE }), node: input.nodeId ?? '' };
  const flow = checked.flow;
  const nodeId = input.nodeId ?? flow.startNodeId;
  const rendered = renderNode(flow, nodeId, {
    actionUrl: (next, extra) => deps.urls.flowStep(input.flow.id, next, extra),
    audioUrl: deps.urls.audio,
    now: deps.now?.() ?? new Date(),
    ...(input.digits !== undefined ? { digits: input.digits } : {}),
    ...(input.attempt !== undefined ? { attempt: input.attempt } : {}),
    ...(input.recorded ? { recorded: true } : {}),
  });
  if (rendered.kind !== 'route') return { twiml: rendered.twiml, node: rendered.nodeId };
  const mode: RouteMode = rendered.target;
  const routed = await routeCall(deps, {
    call: input.call,
    campaign: input.campaign,
    mode,
    number: rendered.number,
    flow: { id: input.flow.id, next: rendered.fallbackNodeId },
    fresh: true,
    ...(input.resumed ? { attempt: 1, resumed: true } : {}),
  });
  return { twiml: routed.twiml, node: rendered.nodeId, routed };
}
