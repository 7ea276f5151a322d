// What a caller's keys at a Menu lead to (pure). `attempt` counts plays of the menu, from 1: no
// input or an entry that matches no option plays the menu again while attempt <= maxRetries,
// then goes to the menu's `invalid` node, or hangs up when it has none.
import { findNode } from './find-node.js';
import { FLOW_DEFAULTS, type FlowDefinition, type MenuConfig } from './types.js';

export type MenuResolution =
  /** An option matched: continue at its node. */
  | { kind: 'next'; nodeId: string }
  /** Play the menu again; `attempt` is the number of that play. */
  | { kind: 'repeat'; attempt: number }
  /** Retries used up: continue at the menu's `invalid` node. */
  | { kind: 'invalid'; nodeId: string }
  /** Retries used up and the menu has no `invalid` node. */
  | { kind: 'hangup' };

/** undefined when `menuNodeId` is not a Menu node of `flow`. `digits` is '' for no input. */
export function resolveMenuInput(
  flow: FlowDefinition,
  menuNodeId: string,
  digits: string,
  attempt: number,
): MenuResolution | undefined {
  const node = findNode(flow, menuNodeId);
  if (node?.type !== 'Menu') return undefined;
  const option = digits === '' ? undefined : node.config.options.find((o) => o.digit === digits);
  if (option) return { kind: 'next', nodeId: option.next };
  return noMatch(node.config, attempt);
}

/** Where a play of the menu that got no usable input goes. */
export function noMatch(menu: MenuConfig, attempt: number): MenuResolution {
  const play = normaliseAttempt(attempt);
  if (play <= (menu.maxRetries ?? FLOW_DEFAULTS.maxRetries)) return { kind: 'repeat', attempt: play + 1 };
  if (menu.invalid !== undefined) return { kind: 'invalid', nodeId: menu.invalid };
  return { kind: 'hangup' };
}

/** Attempts come back from a URL: anything but a positive integer counts as the first play. */
export function normaliseAttempt(attempt: number | undefined): number {
  return attempt !== undefined && Number.isSafeInteger(attempt) && attempt >= 1 ? attempt : 1;
}
