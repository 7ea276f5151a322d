// An operator's test of a buyer's integration: send one bid request (the given body, or the one
// the target's settings build) and judge the answer with the target's response paths.
import { randomBytes } from 'node:crypto';
import type { components } from '../../../client/schema.js';
import type { RtbTargetRow } from '../../../db/types.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { authSecrets, buildBidRequest, parseBidResponse } from '../engine/adapter.js';
import { auditText } from '../engine/audit.js';
import { outcomeStatusOf } from '../engine/decide.js';
import type { RawAnswer } from '../engine/types.js';
import { toTargetConfig } from '../targets/engine-config.js';
import type { RtbRuntime } from './runtime.js';

type TestBidResult = components['schemas']['TestBidResult'];

export async function sendTestBid(rtb: RtbRuntime, row: RtbTargetRow, body: Record<string, unknown> | undefined): Promise<TestBidResult> {
  const target = toTargetConfig(row, { priority: 1, isActive: true });
  const str = (key: string) => (typeof body?.[key] === 'string' ? (body[key] as string) : null);
  const context = {
    requestId: str('requestId') ?? `test_${randomBytes(8).toString('hex')}`,
    campaignId: str('campaignId') ?? 'test',
    callerId: str('callerId'),
    callerState: str('callerState'),
    callerZip: str('callerZip'),
    callStartTime: new Date(),
  };
  const built = buildBidRequest(target, context, new Date());
  const custom = body !== undefined && Object.keys(body).length > 0;
  const request = custom
    ? { ...built, method: target.httpMethod === 'GET' ? ('POST' as const) : target.httpMethod, body: JSON.stringify(body), headers: { ...built.headers, 'content-type': 'application/json' } }
    : built;
  const answer = await rtb.probeLimit(() => rtb.send(request, { timeoutMs: target.timeoutMs, signal: new AbortController().signal }));
  const raw: RawAnswer = { ...answer, targetId: target.id, late: false };
  const parsed = parseBidResponse(target, raw);
  const judged = outcomeStatusOf(parsed, answer);
  const status = judged === 'bid' ? 'success' : judged;
  return {
    targetId: row.id,
    requestBody: custom ? auditText(request.body, authSecrets(target)) : built.auditBody,
    httpStatus: answer.status,
    responseTimeMs: answer.responseTimeMs === null ? null : Math.round(answer.responseTimeMs),
    responseBody: auditText(answer.body, authSecrets(target)),
    outcome: {
      status,
      isValid: parsed.valid,
      rejectionReason: parsed.rejectionReason,
      bidAmount: parsed.bidAmount,
      currency: parsed.currency,
      destinationNumber: obfuscatePhone(parsed.destination),
      durationSec: parsed.durationSec,
    },
  };
}
