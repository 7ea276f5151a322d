// Validation of a call flow's definition (pure). Drafts: shapes only. Active flows: complete and
// safe to run (see types.ts). Problem keys are paths inside the flow definition, e.g.
// `startNodeId`, `nodes[2].config.options[0].next`; a definition that is not an object is keyed
// `flowDefinition`. The flow returned is a normalised copy (Menu options' `action` becomes `next`,
// unknown node-level keys are dropped).
import {
  NODE_ID_RULE,
  isNodeId,
  isRecord,
  problem,
  readText,
  type Problems,
} from './fields.js';
import { graphProblems, type GraphNode } from './graph.js';
import { readNodeConfig } from './node-config.js';
import {
  FLOW_LIMITS,
  NODE_TYPES,
  type DraftFlowDefinition,
  type DraftFlowNode,
  type FlowDefinition,
  type FlowMode,
  type FlowNode,
  type NodeType,
} from './types.js';

export type FlowValidation<F> = { ok: true; flow: F } | { ok: false; details: Record<string, string> };

export function validateFlow(def: unknown, mode: 'active'): FlowValidation<FlowDefinition>;
export function validateFlow(def: unknown, mode: 'draft'): FlowValidation<DraftFlowDefinition>;
export function validateFlow(def: unknown, mode: FlowMode): FlowValidation<FlowDefinition | DraftFlowDefinition>;
export function validateFlow(def: unknown, mode: FlowMode): FlowValidation<FlowDefinition | DraftFlowDefinition> {
  const problems: Problems = {};
  if (!isRecord(def)) return { ok: false, details: { flowDefinition: 'must be an object' } };
  const draft = readShape(def, mode, problems);
  if (mode === 'draft') return done(problems, draft);
  if (draft.startNodeId === undefined && def.startNodeId === undefined) problem(problems, 'startNodeId', 'is required');
  if (Object.keys(problems).length > 0) return { ok: false, details: problems };
  return done(problems, readComplete(draft, problems));
}

function done<F>(problems: Problems, flow: F): FlowValidation<F> {
  return Object.keys(problems).length > 0 ? { ok: false, details: problems } : { ok: true, flow };
}

/** The shape every flow has, draft or not: ids, types, names, config objects. */
function readShape(def: Record<string, unknown>, mode: FlowMode, problems: Problems): DraftFlowDefinition {
  const flow: DraftFlowDefinition = { nodes: [] };
  if (def.startNodeId !== undefined) {
    if (isNodeId(def.startNodeId)) flow.startNodeId = def.startNodeId;
    else problem(problems, 'startNodeId', `must be a node id (${NODE_ID_RULE})`);
  }
  const nodes = def.nodes;
  if (nodes === undefined) {
    if (mode === 'active') problem(problems, 'nodes', 'is required');
    return flow;
  }
  if (!Array.isArray(nodes)) return problem(problems, 'nodes', 'must be an array') ?? flow;
  if (nodes.length > FLOW_LIMITS.nodes) return problem(problems, 'nodes', `must have at most ${FLOW_LIMITS.nodes} nodes`) ?? flow;
  const firstIndex = new Map<string, number>();
  nodes.forEach((value: unknown, i) => {
    const node = readNodeShape(value, `nodes[${i}]`, mode, problems);
    if (node === undefined) return;
    const first = firstIndex.get(node.id);
    if (first !== undefined) problem(problems, `nodes[${i}].id`, `duplicates nodes[${first}].id`);
    else firstIndex.set(node.id, i);
    flow.nodes.push(node);
  });
  return flow;
}

function readNodeShape(value: unknown, path: string, mode: FlowMode, problems: Problems): DraftFlowNode | undefined {
  if (!isRecord(value)) return problem(problems, path, 'must be an object');
  let ok = true;
  if (value.id === undefined) ok = problem(problems, `${path}.id`, 'is required') ?? false;
  else if (!isNodeId(value.id)) ok = problem(problems, `${path}.id`, NODE_ID_RULE) ?? false;
  if (value.type === undefined) ok = problem(problems, `${path}.type`, 'is required') ?? false;
  else if (!isNodeType(value.type)) ok = problem(problems, `${path}.type`, `must be one of: ${NODE_TYPES.join(', ')}`) ?? false;
  const name = readText(value, 'name', `${path}.name`, problems, { max: FLOW_LIMITS.nameLength });
  if (value.name !== undefined && name === undefined) ok = false;
  const config = value.config;
  if (config !== undefined && !isRecord(config)) ok = problem(problems, `${path}.config`, 'must be an object') ?? false;
  if (config === undefined && mode === 'active' && value.type !== 'Hangup') {
    ok = problem(problems, `${path}.config`, 'is required') ?? false;
  }
  if (!ok || !isNodeId(value.id) || !isNodeType(value.type)) return undefined;
  return {
    id: value.id,
    type: value.type,
    ...(name === undefined ? {} : { name }),
    ...(isRecord(config) ? { config } : {}),
  };
}

function isNodeType(value: unknown): value is NodeType {
  return typeof value === 'string' && (NODE_TYPES as readonly string[]).includes(value);
}

/** An active flow: every config complete, every reference known, the graph safe to run. */
function readComplete(draft: DraftFlowDefinition, problems: Problems): FlowDefinition {
  const nodes: FlowNode[] = [];
  const graph: GraphNode[] = [];
  draft.nodes.forEach((node, index) => {
    const { config, edges } = readNodeConfig(node.type, node.config ?? {}, `nodes[${index}].config`, problems);
    graph.push({ id: node.id, index, edges });
    if (config === undefined) return;
    // readNodeConfig returns the config of `node.type`: the pairing holds by construction.
    const name = node.name === undefined ? {} : { name: node.name };
    nodes.push({ id: node.id, type: node.type, ...name, config } as FlowNode);
  });
  const start = draft.startNodeId ?? '';
  if (!graph.some((node) => node.id === start)) problem(problems, 'startNodeId', `refers to an unknown node: ${start}`);
  graphProblems(graph, start, problems);
  return { startNodeId: start, nodes };
}
