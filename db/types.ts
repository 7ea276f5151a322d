// Hand-written table types (kysely-codegen loses CHECK unions and has no PGlite dialect), one
// file per group of tables in db/types/; this file is the one import of them all and holds DB.
import type { Kysely, Transaction } from 'kysely';
import type { ApiKeysTable, OrganizationsTable, UsersTable } from './types/accounts.js';
import type { BuyersTable, CallFlowsTable, CampaignBuyersTable, CampaignPriorityRotationsTable, CampaignsTable, NumberPoolsTable, PhoneNumbersTable } from './types/inbound.js';
import type { CallCorrectionsTable, CallLegsTable, CallsTable, SimulatorCallsTable } from './types/calls.js';
import type { BidRequestsTable, BidResponsesPendingTable, BidResponsesTable, CampaignRtbTargetsTable, InboundBidsTable, RtbHealthChecksTable, RtbRoutersTable, RtbTargetsTable } from './types/rtb.js';
import type { ConversionEventsTable, PixelAttemptsTable, PixelDeliveriesTable, PoolAssignmentsTable, RedtrackEventsTable, TrackingPixelsTable, TrackingTagsTable, VisitorSessionsTable } from './types/attribution.js';
import type { AudioFilesTable, CallLogsTable, DncNumbersTable, FollowUpsTable, LeadImportChunksTable, LeadImportErrorsTable, LeadImportsTable, LeadsTable, LeadStageChangesTable } from './types/crm.js';
import type { AiAgentsTable, AiAgentVersionsTable, AiConversationsTable, AiOutboundCallsTable, AiSchedulesTable, AiTurnsTable, KbChunksTable, KbDocumentsTable } from './types/ai.js';
import type { AgentGroupsTable, AgentStatusChangesTable, AgentsTable, CampaignDialCountersTable } from './types/dialer.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './types/events.js';

export type * from './types/columns.js';
export type * from './types/accounts.js';
export type * from './types/inbound.js';
export type * from './types/calls.js';
export type * from './types/rtb.js';
export type * from './types/attribution.js';
export type * from './types/crm.js';
export type * from './types/dialer.js';
export type * from './types/ai.js';
export type * from './types/events.js';
export type * from './types/deliveries.js';

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  campaigns: CampaignsTable;
  buyers: BuyersTable;
  campaign_buyers: CampaignBuyersTable;
  campaign_priority_rotations: CampaignPriorityRotationsTable;
  rtb_targets: RtbTargetsTable;
  rtb_routers: RtbRoutersTable;
  campaign_rtb_targets: CampaignRtbTargetsTable;
  bid_requests: BidRequestsTable;
  bid_responses: BidResponsesTable;
  bid_responses_pending: BidResponsesPendingTable;
  rtb_health_checks: RtbHealthChecksTable;
  inbound_bids: InboundBidsTable;
  number_pools: NumberPoolsTable;
  phone_numbers: PhoneNumbersTable;
  call_flows: CallFlowsTable;
  calls: CallsTable;
  simulator_calls: SimulatorCallsTable;
  call_legs: CallLegsTable;
  call_corrections: CallCorrectionsTable;
  tracking_tags: TrackingTagsTable;
  visitor_sessions: VisitorSessionsTable;
  pool_assignments: PoolAssignmentsTable;
  conversion_events: ConversionEventsTable;
  redtrack_events: RedtrackEventsTable;
  tracking_pixels: TrackingPixelsTable;
  pixel_deliveries: PixelDeliveriesTable;
  pixel_attempts: PixelAttemptsTable;
  audio_files: AudioFilesTable;
  leads: LeadsTable;
  dnc_numbers: DncNumbersTable;
  lead_imports: LeadImportsTable;
  lead_import_chunks: LeadImportChunksTable;
  lead_import_errors: LeadImportErrorsTable;
  call_logs: CallLogsTable;
  follow_ups: FollowUpsTable;
  lead_stage_changes: LeadStageChangesTable;
  agent_groups: AgentGroupsTable;
  agents: AgentsTable;
  agent_status_changes: AgentStatusChangesTable;
  campaign_dial_counters: CampaignDialCountersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  ai_agents: AiAgentsTable;
  ai_agent_versions: AiAgentVersionsTable;
  kb_documents: KbDocumentsTable;
  kb_chunks: KbChunksTable;
  ai_schedules: AiSchedulesTable;
  ai_outbound_calls: AiOutboundCallsTable;
  ai_conversations: AiConversationsTable;
  ai_turns: AiTurnsTable;
}

/** What query functions take first: the database or a transaction. */
export type Db = Kysely<DB> | Transaction<DB>;
