// POST /api/simulator/calls (simulator only): a simulated inbound call to one of the caller's
// organisation's numbers, played by the simulated carrier (carrier.ts) through our real, signed
// webhooks. The voice webhook is answered before this request is; the rest plays at `timeScale`
// (0: before the answer, 201; otherwise in the background, 202) — also when the voice webhook
// failed: Twilio then plays its application-error message and ends the call with a status
// callback (carrier.ts). While it plays in the background, call control steers it as on Twilio: a
// hang-up ends it at once, a redirect (resume) plays the new URL's TwiML. With Twilio: 404.
import type { components } from '../../client/schema.js';
import { sleep } from '../platform/common/background.js';
import { ERRORS } from '../platform/errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';
import { numberWebhooks } from '../inbound/numbers/mapping.js';
import { SIMULATOR_LABEL } from '../telephony/simulator/label.js';
import { findDialledNumber } from '../inbound/webhooks/lookup.js';
import { type CallControlView, type CallScript, type CarrierUrls, type Step, answer, newCallSid, ring } from './carrier.js';
import { createDatabaseCallStore } from './call-store.js';
import { webhookPoster } from './webhook-poster.js';
import { relayCaller } from './relay-caller.js';

type SimulatedCall = components['schemas']['SimulatedCall'];

/** A fictional caller (NANP 555-01XX). */
const DEFAULT_FROM = '+13105550123';

export function createSimulatorHandlers({ db, config, telephony, webhookToken, background }: Deps): HandlerGroup<'placeSimulatedCall'> {
  const base = config.publicBaseUrl.replace(/\/+$/, '');
  const { voiceUrl, statusCallbackUrl } = numberWebhooks(base);
  const urls: CarrierUrls = { voiceUrl, statusCallbackUrl, base };
  const calls = createDatabaseCallStore(db);

  return {
    async placeSimulatedCall(ctx) {
      if (telephony.kind !== 'simulator') {
        throw ERRORS.routeNotFound(ctx.req.method, `${ctx.req.url} (the telephony simulator is off: TELEPHONY=twilio)`);
      }
      const { orgId } = ctx.principal();
      const body = ctx.body;
      const dialled = await findDialledNumber(db, body.to);
      if (!dialled || dialled.orgId !== orgId) throw ERRORS.notFound('Phone number', body.to);

      const script: CallScript = {
        callSid: newCallSid(),
        to: body.to,
        from: body.from ?? DEFAULT_FROM,
        callerState: body.callerState,
        callerZip: body.callerZip,
        dialOutcomes: body.dialOutcomes ?? [],
        outcome: body.outcome ?? 'answered',
        durationSec: body.durationSec ?? 60,
        ringSec: body.ringSec ?? 3,
        digits: body.digits ?? [],
      };
      const timeScale = body.timeScale ?? 1;
      const steps: Step[] = [];
      const post = webhookPoster(ctx.req.server, base, webhookToken);
      const relay = relayCaller({ server: ctx.req.server.server, token: webhookToken, ...(body.callerSays ? { script: body.callerSays } : {}) });
      const io = (signal: AbortSignal | null) => ({
        post,
        relay,
        wait: (seconds: number) => (signal === null || timeScale === 0 ? Promise.resolve() : sleep(seconds * 1000 * timeScale, signal)),
        onStep: (step: Step) => steps.push(step),
      });

      const first = await ring(script, urls, io(null));
      if (timeScale === 0) await answer(script, urls, io(null), first);
      else {
        // What call control did to the call (the simulator's store: hang-up, redirect), as the call plays.
        const control = async (): Promise<CallControlView> => {
          const state = await calls.find(script.callSid);
          return { redirectedTo: state?.redirectedTo ?? null, ended: state?.status === 'completed', updateSeq: state?.updateSeq ?? 0, twiml: state?.updateTwiml ?? null };
        };
        background.run(`simulated call ${script.callSid}`, ctx.req.log, (signal) => answer(script, urls, io(signal), first, control));
      }

      const call = await db
        .selectFrom('calls')
        .select('id')
        .where('org_id', '=', orgId)
        .where('call_sid', '=', script.callSid)
        .executeTakeFirst();
      const done = timeScale === 0;
      const result: SimulatedCall = {
        simulated: true,
        label: SIMULATOR_LABEL,
        callSid: script.callSid,
        callId: call?.id ?? null,
        status: done ? 'completed' : 'in-progress',
        steps: [...steps],
        links: { call: call ? `/api/calls/${call.id}` : null },
      };
      return done ? { status: 201, body: result } : { status: 202, body: result };
    },
  };
}
