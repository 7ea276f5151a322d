// /api/ai-agents (DESIGN.md 9.4, seed 004 /agents, /retry/config, /phones): CRUD, versions, the
// retry configuration, the numbers an agent answers; the Exotel incoming-call webhook and its
// secret. Scoped by organisation (another organisation's or an archived agent is a 404); reads for
// any member, changes for managers and above, the Exotel secret for admins (x-min-role).
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { parseIntId, parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import { toSeed004 } from '../../dialer/schedule/retry-policy.js';
import { EXOTEL_WEBHOOK_PATH, findAgentNumber, recordExotelCall, rotateExotelSecret } from './exotel.js';
import { pagination, presentAgent, presentVersion, retryPolicyOf } from './mapping.js';
import { agentNumbers, findAgentInOrg, findVersion, listAgentsInOrg, listVersions } from './queries.js';
import { createAgent, deleteAgent, updateAgent } from './service.js';

type AiAgentOps =
  | 'listAiAgents'
  | 'createAiAgent'
  | 'getAiAgent'
  | 'updateAiAgent'
  | 'deleteAiAgent'
  | 'listAiAgentVersions'
  | 'getAiAgentVersion'
  | 'getAiAgentRetryConfig'
  | 'updateAiAgentRetryConfig'
  | 'listAiAgentNumbers'
  | 'rotateExotelSecret'
  | 'exotelIncomingWebhook';

const DEFAULT_LIMIT = 50;

export function createAiAgentHandlers({ db, config }: Deps): HandlerGroup<AiAgentOps> {
  function agentId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('AI agent', raw);
    return id;
  }

  async function ownAgent(orgId: string, raw: string) {
    const row = await findAgentInOrg(db, orgId, agentId(raw));
    if (!row) throw ERRORS.notFound('AI agent', raw);
    return row;
  }

  return {
    async listAiAgents(ctx) {
      const { orgId } = ctx.principal();
      const page = ctx.query.page ?? 1;
      const limit = ctx.query.limit ?? DEFAULT_LIMIT;
      const { rows, total } = await listAgentsInOrg(db, orgId, { isActive: ctx.query.isActive, limit, offset: (page - 1) * limit });
      return { status: 200, body: { agents: rows.map(presentAgent), pagination: pagination(page, limit, total) } };
    },

    async createAiAgent(ctx) {
      const { orgId, userId } = ctx.principal();
      const row = await createAgent(db, { orgId, userId }, ctx.body, config.aiDefaultModel);
      return { status: 201, body: presentAgent(row) };
    },

    async getAiAgent(ctx) {
      return { status: 200, body: presentAgent(await ownAgent(ctx.principal().orgId, ctx.params.id)) };
    },

    async updateAiAgent(ctx) {
      const { orgId, userId } = ctx.principal();
      const row = await updateAgent(db, { orgId, userId }, agentId(ctx.params.id), ctx.body);
      if (!row) throw ERRORS.notFound('AI agent', ctx.params.id);
      return { status: 200, body: presentAgent(row) };
    },

    async deleteAiAgent(ctx) {
      const outcome = await deleteAgent(db, ctx.principal().orgId, agentId(ctx.params.id));
      if (outcome === 'not_found') throw ERRORS.notFound('AI agent', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async listAiAgentVersions(ctx) {
      const { orgId } = ctx.principal();
      const agent = await ownAgent(orgId, ctx.params.id);
      const page = ctx.query.page ?? 1;
      const limit = ctx.query.limit ?? DEFAULT_LIMIT;
      const { rows, total } = await listVersions(db, orgId, agent.id, limit, (page - 1) * limit);
      return { status: 200, body: { versions: rows.map(presentVersion), pagination: pagination(page, limit, total) } };
    },

    async getAiAgentVersion(ctx) {
      const { orgId } = ctx.principal();
      const agent = await ownAgent(orgId, ctx.params.id);
      const number = parseIntId(ctx.params.version);
      const row = number === null ? undefined : await findVersion(db, orgId, agent.id, number);
      if (!row) throw ERRORS.notFound('AI agent version', ctx.params.version);
      return { status: 200, body: presentVersion(row) };
    },

    async getAiAgentRetryConfig(ctx) {
      const agent = await ownAgent(ctx.principal().orgId, ctx.params.id);
      return { status: 200, body: { agentId: agent.id, version: agent.version, retryConfig: toSeed004(retryPolicyOf(agent.retry_config)) } };
    },

    async updateAiAgentRetryConfig(ctx) {
      const { orgId, userId } = ctx.principal();
      const row = await updateAgent(db, { orgId, userId }, agentId(ctx.params.id), { retryConfig: ctx.body });
      if (!row) throw ERRORS.notFound('AI agent', ctx.params.id);
      return { status: 200, body: { agentId: row.id, version: row.version, retryConfig: toSeed004(retryPolicyOf(row.retry_config)) } };
    },

    async listAiAgentNumbers(ctx) {
      const { orgId } = ctx.principal();
      const agent = await ownAgent(orgId, ctx.params.id);
      const rows = await agentNumbers(db, orgId, agent.id);
      return {
        status: 200,
        body: rows.map((n) => ({ id: n.id, phoneNumber: n.phone_number, friendlyName: n.friendly_name, aiAgentId: agent.id, isActive: n.is_active })),
      };
    },

    async rotateExotelSecret(ctx) {
      const { secret, rotatedAt } = await rotateExotelSecret(db, ctx.principal().orgId);
      const webhookUrl = `${config.publicBaseUrl}${EXOTEL_WEBHOOK_PATH}?secret=${encodeURIComponent(secret)}`;
      return { status: 201, body: { secret, webhookUrl, rotatedAt: rotatedAt.toISOString() } };
    },

    async exotelIncomingWebhook(ctx) {
      // The secret was checked before the body (routes.ts, x-secret-auth).
      const org = ctx.req.secretOrg;
      if (!org) throw ERRORS.unauthorized();
      const { CallSid, From, To, CallStatus, Direction } = ctx.body;
      const number = await findAgentNumber(db, org, To);
      if (!number) throw ERRORS.notFound('Number with an AI agent', To);
      const recorded = await recordExotelCall(db, {
        orgId: org.id,
        callSid: CallSid,
        from: From,
        number,
        callStatus: typeof CallStatus === 'string' ? CallStatus : null,
        direction: typeof Direction === 'string' ? Direction : null,
      });
      if (recorded.kind === 'foreign') throw ERRORS.validation({ CallSid: 'is already recorded for another number' });
      const { callId, agentId: recordedAgent, agentVersion, agentActive, duplicate } = recorded;
      const message = agentActive ? 'Webhook received' : 'Webhook received; the agent is switched off';
      return { status: 200, body: { success: true, message, callId, agentId: recordedAgent, agentVersion, agentActive, duplicate } };
    },
  };
}
