// Call control (issue 4): transfer, hold / resume, mute / unmute and recording of one of the
// organisation's live calls, carried out by the telephony adapter (Twilio, or the labelled
// simulator). The call is looked up in the caller's organisation first (any other is a 404; a user
// with role agent reaches only the calls bridged to its own agent) and
// must not have ended (409); a transfer to one of the organisation's own tracking numbers is a 400
// (it would loop back into our voice webhook); how the carrier refuses is mapped in control-errors.ts.
import type { FastifyRequest } from 'fastify';
import type { components } from '../../../client/schema.js';
import type { Principal } from '../../accounts/auth/principal.js';
import { parseCallSid } from '../../platform/common/ids.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { isE164 } from '../../telephony/validation.js';
import { ERRORS } from '../../platform/errors.js';
import { isOwnTrackingNumber } from '../numbers/queries.js';
import { type ControlAction, callEnded, callNotFound, controlFailure, noRecordingStarted } from './control-errors.js';
import { type ControlledCall, clearRecordingSid, findOrgCallBySid, saveRecordingSid } from './queries/index.js';
import { isFinalCallStatus } from './status.js';
import { callScope } from './access.js';

type ControlOps = 'transferCall' | 'holdCall' | 'resumeCall' | 'muteCall' | 'unmuteCall' | 'startCallRecording' | 'stopCallRecording';
type CallControlResult = components['schemas']['CallControlResult'];

/** What every control operation's context has. */
interface ControlContext {
  req: FastifyRequest;
  params: { callSid: string };
  principal(): Principal;
}

export function createCallControlHandlers({ db, telephony, config }: Deps): HandlerGroup<ControlOps> {
  const simulated = telephony.kind === 'simulator';
  const resumeUrl = `${config.publicBaseUrl}/api/webhooks/resume`; // (publicBaseUrl has no trailing slash)
  // Twilio posts the recording's URL here once it is complete (signed, as every Twilio webhook).
  const recordingStatusUrl = `${config.publicBaseUrl}/api/webhooks/recording-status`;

  /** The organisation's call, still live (for a user with role agent: a call bridged to its own agent). */
  async function liveCall(ctx: ControlContext): Promise<ControlledCall & { orgId: string }> {
    const scope = callScope(ctx.principal());
    const { orgId } = scope;
    const callSid = parseCallSid(ctx.params.callSid);
    const call = callSid === null ? undefined : await findOrgCallBySid(db, scope, callSid);
    if (!call) throw callNotFound(ctx.params.callSid);
    if (isFinalCallStatus(call.status)) throw callEnded(call.status);
    return { ...call, orgId };
  }

  /** Run one Telephony call; its failure becomes the answer. */
  async function carrier<T>(ctx: ControlContext, action: ControlAction, run: () => Promise<T>, recordingSid?: string): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const mapped = controlFailure(err, action, { callSid: ctx.params.callSid, recordingSid });
      ctx.req.log[mapped.statusCode >= 500 ? 'warn' : 'info']({ err, action, provider: telephony.kind }, 'call control failed at the provider');
      throw mapped;
    }
  }

  function done(ctx: ControlContext, action: ControlAction, via: CallControlResult['via'] = null, recordingSid: string | null = null) {
    const body: CallControlResult = { callSid: ctx.params.callSid, action, via, recordingSid, simulated };
    return { status: 200 as const, body };
  }

  return {
    async transferCall(ctx) {
      const call = await liveCall(ctx);
      // One of our own tracking numbers would bring the caller back in through the voice webhook, as a new call.
      if (await isOwnTrackingNumber(db, call.orgId, ctx.body.targetNumber)) {
        throw ERRORS.validation({ targetNumber: "is one of this organisation's tracking numbers: the call would come back in as a new call" });
      }
      // The caller sees our tracking number, as on the original leg.
      const options = call.to_number !== null && isE164(call.to_number) ? { callerId: call.to_number } : {};
      await carrier(ctx, 'transfer', () => telephony.transferCall(ctx.params.callSid, ctx.body.targetNumber, options));
      return done(ctx, 'transfer');
    },

    async holdCall(ctx) {
      await liveCall(ctx);
      const { via } = await carrier(ctx, 'hold', () => telephony.holdCall(ctx.params.callSid));
      return done(ctx, 'hold', via);
    },

    async resumeCall(ctx) {
      await liveCall(ctx);
      const { via } = await carrier(ctx, 'resume', () => telephony.resumeCall(ctx.params.callSid, resumeUrl));
      return done(ctx, 'resume', via);
    },

    async muteCall(ctx) {
      await liveCall(ctx);
      await carrier(ctx, 'mute', () => telephony.muteCall(ctx.params.callSid));
      return done(ctx, 'mute');
    },

    async unmuteCall(ctx) {
      await liveCall(ctx);
      await carrier(ctx, 'unmute', () => telephony.unmuteCall(ctx.params.callSid));
      return done(ctx, 'unmute');
    },

    async startCallRecording(ctx) {
      const call = await liveCall(ctx);
      const { recordingSid } = await carrier(ctx, 'recording_start', () => telephony.startRecording(ctx.params.callSid, { statusCallbackUrl: recordingStatusUrl }));
      await saveRecordingSid(db, call.orgId, call.id, recordingSid);
      return done(ctx, 'recording_start', null, recordingSid);
    },

    async stopCallRecording(ctx) {
      const call = await liveCall(ctx);
      const recordingSid = ctx.body?.recordingSid ?? call.recording_sid;
      if (recordingSid === null) throw noRecordingStarted();
      await carrier(ctx, 'recording_stop', () => telephony.stopRecording(ctx.params.callSid, recordingSid), recordingSid);
      await clearRecordingSid(db, call.orgId, call.id, recordingSid);
      return done(ctx, 'recording_stop', null, recordingSid);
    },
  };
}
