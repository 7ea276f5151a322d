// The static migration list (never imports app code). Append new migrations; never edit old ones.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_session_version.js';
import * as m0003 from './0003_rtb.js';
import * as m0004 from './0004_numbers_pools_flows.js';
import * as m0005 from './0005_calls.js';
import * as m0006 from './0006_call_path.js';
import * as m0007 from './0007_tracking_pixels.js';
import * as m0008 from './0008_dni_attribution.js';
import * as m0009 from './0009_attribution_redtrack.js';
import * as m0010 from './0010_report_rollups.js';
import * as m0011 from './0011_redtrack_postback_secret.js';
import * as m0013 from './0013_call_source.js';
import * as m0012 from './0012_routing_lease.js';
import * as m0014 from './0014_reserve_leg_function.js';
import * as m0015 from './0015_auction_audit_function.js';
import * as m0016 from './0016_leads.js';
import * as m0017 from './0017_audio.js';
import * as m0018 from './0018_per_org_identity.js';
import * as m0019 from './0019_call_logs.js';
import * as m0020 from './0020_bid_stats_per_statement.js';
import * as m0021 from './0021_agents.js';
import * as m0022 from './0022_leg_usage_counters.js';
import * as m0023 from './0023_outbound_dialer.js';
import * as m0024 from './0024_preview_dialing.js';
import * as m0025 from './0025_event_webhooks.js';
import * as m0026 from './0026_agent_call_rollups.js';
import * as m0027 from './0027_live_events.js';
import * as m0028 from './0028_campaign_dial_counters.js';
import * as m0029 from './0029_ai_agents.js';
import * as m0030 from './0030_exotel_call_source.js';
import * as m0034 from './0034_ai_costs.js';
import * as m0035 from './0035_ai_outbound_call_sid.js';
import * as m0036 from './0036_ai_turn_tool_arguments.js';
import * as m0037 from './0037_ai_schedule_run_days.js';
import * as m0038 from './0038_answer_rtb_call.js';
import * as m0039 from './0039_ai_call_costs.js';
import * as m0040 from './0040_ai_turn_writes.js';
import * as m0041 from './0041_reserved_call_id.js';
import * as m0042 from './0042_reserved_call_one_write.js';
import * as m0043 from './0043_bid_response_keys.js';
import * as m0044 from './0044_deferred_bid_rows.js';
import * as m0045 from './0045_kb_vector_counts.js';
import * as m0046 from './0046_reserved_call_short_lock.js';
import * as m0047 from './0047_open_leg_counters.js';
import * as m0048 from './0048_counter_trust_and_capped_locks.js';
import * as m0049 from './0049_bid_rows_of_deleted_targets.js';
import * as m0050 from './0050_no_leg_for_an_ended_call.js';
import * as m0051 from './0051_call_completion_pending.js';
import * as m0052 from './0052_lead_priority_order.js';
import * as m0053 from './0053_text_conversation_busy.js';
import * as m0062 from './0062_no_rtb_answer_leg_for_an_ended_call.js';
import * as m0063 from './0063_priority_group_rotations.js';
import * as m0064 from './0064_pool_holdings_outlive_their_pool.js';
import * as m0065 from './0065_call_recording_url.js';
import * as m0067 from './0067_follow_ups_lead_index.js';
import * as m0071 from './0071_dial_leg_segments.js';
import * as m0072 from './0072_calls_by_auction.js';
import * as m0074 from './0074_bids_deleted_before_their_auction.js';
import * as m0076 from './0076_simulator_call_updates.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_session_version': m0002,
  '0003_rtb': m0003,
  '0004_numbers_pools_flows': m0004,
  '0005_calls': m0005,
  '0006_call_path': m0006,
  '0007_tracking_pixels': m0007,
  '0008_dni_attribution': m0008,
  '0009_attribution_redtrack': m0009,
  '0010_report_rollups': m0010,
  '0011_redtrack_postback_secret': m0011,
  '0013_call_source': m0013,
  '0012_routing_lease': m0012,
  '0014_reserve_leg_function': m0014,
  '0015_auction_audit_function': m0015,
  '0016_leads': m0016,
  '0017_audio': m0017,
  '0018_per_org_identity': m0018,
  '0019_call_logs': m0019,
  '0020_bid_stats_per_statement': m0020,
  '0021_agents': m0021,
  '0022_leg_usage_counters': m0022,
  '0023_outbound_dialer': m0023,
  '0024_preview_dialing': m0024,
  '0025_event_webhooks': m0025,
  '0026_agent_call_rollups': m0026,
  '0027_live_events': m0027,
  '0028_campaign_dial_counters': m0028,
  '0029_ai_agents': m0029,
  '0030_exotel_call_source': m0030,
  '0034_ai_costs': m0034,
  '0035_ai_outbound_call_sid': m0035,
  '0036_ai_turn_tool_arguments': m0036,
  '0037_ai_schedule_run_days': m0037,
  '0038_answer_rtb_call': m0038,
  '0039_ai_call_costs': m0039,
  '0040_ai_turn_writes': m0040,
  '0041_reserved_call_id': m0041,
  '0042_reserved_call_one_write': m0042,
  '0043_bid_response_keys': m0043,
  '0044_deferred_bid_rows': m0044,
  '0045_kb_vector_counts': m0045,
  '0046_reserved_call_short_lock': m0046,
  '0047_open_leg_counters': m0047,
  '0048_counter_trust_and_capped_locks': m0048,
  '0049_bid_rows_of_deleted_targets': m0049,
  '0050_no_leg_for_an_ended_call': m0050,
  '0051_call_completion_pending': m0051,
  '0052_lead_priority_order': m0052,
  '0053_text_conversation_busy': m0053,
  '0062_no_rtb_answer_leg_for_an_ended_call': m0062,
  '0063_priority_group_rotations': m0063,
  '0064_pool_holdings_outlive_their_pool': m0064,
  '0065_call_recording_url': m0065,
  '0067_follow_ups_lead_index': m0067,
  '0071_dial_leg_segments': m0071,
  '0072_calls_by_auction': m0072,
  '0074_bids_deleted_before_their_auction': m0074,
  '0076_simulator_call_updates': m0076,
};
