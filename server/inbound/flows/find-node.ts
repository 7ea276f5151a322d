// Looking up a node of a flow by id (pure).
import type { FlowDefinition, FlowNode } from './types.js';

export function findNode(flow: FlowDefinition, nodeId: string): FlowNode | undefined {
  return flow.nodes.find((node) => node.id === nodeId);
}
