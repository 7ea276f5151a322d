// Whole-graph checks of an active flow (pure): references to unknown nodes, cycles that can repeat
// without caller input, and (when nothing else is wrong) nodes that cannot be reached from the start.
import { problem, type Problems } from './fields.js';
import type { EdgeRef } from './node-config.js';

export interface GraphNode {
  id: string;
  /** Position in `nodes`, for problem paths like `nodes[3].id`. */
  index: number;
  edges: EdgeRef[];
}

export function graphProblems(nodes: readonly GraphNode[], startNodeId: string | undefined, problems: Problems): void {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  for (const node of nodes) {
    for (const edge of node.edges) {
      if (!byId.has(edge.to)) problem(problems, edge.path, `refers to an unknown node: ${edge.to}`);
    }
  }
  for (const cycle of cyclesWithoutInput(nodes, byId)) {
    problem(problems, cycle.edge.path, `forms a cycle without caller input: ${cycle.ids.join(' -> ')}`);
  }
  // A broken reference or config also cuts nodes off: report unreachable nodes once all else is right.
  if (Object.keys(problems).length > 0 || startNodeId === undefined || !byId.has(startNodeId)) return;
  const reached = reachable(byId, startNodeId);
  for (const node of nodes) {
    if (!reached.has(node.id)) problem(problems, `nodes[${node.index}].id`, 'is not reachable from startNodeId');
  }
}

function reachable(byId: ReadonlyMap<string, GraphNode>, start: string): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const edge of byId.get(id)?.edges ?? []) {
      if (byId.has(edge.to) && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}

interface Cycle {
  /** The edge that closes the cycle. */
  edge: EdgeRef;
  /** The node ids around the cycle, first and last the same. */
  ids: string[];
}

/**
 * Cycles over the edges that are taken without caller input (everything but Menu options), found
 * by depth-first search: each back edge closes one cycle. A Menu option edge breaks a cycle
 * because the caller has to type keys to take it.
 */
function cyclesWithoutInput(nodes: readonly GraphNode[], byId: ReadonlyMap<string, GraphNode>): Cycle[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: Cycle[] = [];
  const visit = (node: GraphNode): void => {
    state.set(node.id, 'open');
    stack.push(node.id);
    for (const edge of node.edges) {
      const target = byId.get(edge.to);
      if (edge.input || target === undefined) continue;
      const seen = state.get(target.id);
      if (seen === 'open') cycles.push({ edge, ids: [...stack.slice(stack.indexOf(target.id)), target.id] });
      else if (seen === undefined) visit(target);
    }
    stack.pop();
    state.set(node.id, 'done');
  };
  for (const node of nodes) {
    if (!state.has(node.id)) visit(node);
  }
  return cycles;
}
