// Plays every outbound call the simulator places (the dialer's placeCall) in the background,
// through our real, signed webhooks (outbound-carrier.ts), SIMULATOR_SPEEDUP times faster than real
// time. The call's state in the simulator (call control: a redirect, a hang-up) steers the play.
import type { FastifyInstance } from 'fastify';
import { sleep, type Background } from '../platform/common/background.js';
import type { SimulatedOutboundCall, SimulatorTelephony } from '../telephony/simulator/simulator.js';
import type { Step } from './carrier.js';
import { SimulatedConferences } from './conferences.js';
import { playOutbound } from './outbound-carrier.js';
import { webhookPoster } from './webhook-poster.js';
import { relayCaller } from './relay-caller.js';

export interface OutboundRunnerOptions {
  app: FastifyInstance;
  telephony: SimulatorTelephony;
  /** PUBLIC_BASE_URL: the webhooks' URLs start with it. */
  base: string;
  webhookToken: string;
  background: Background;
  speedup: number;
}

export function simulatedOutboundRunner(options: OutboundRunnerOptions): (call: SimulatedOutboundCall) => void {
  const { app, telephony, background, speedup } = options;
  const base = options.base.replace(/\/+$/, '');
  const post = webhookPoster(app, base, options.webhookToken);
  const relay = relayCaller({ server: app.server, token: options.webhookToken });
  const conferences = { room: new SimulatedConferences(), hangUp: (callSid: string) => telephony.endCall(callSid) };
  return (call) => {
    background.run(`simulated outbound call ${call.callSid}`, app.log, async (signal) => {
      const io = {
        post,
        relay,
        wait: (seconds: number) => (seconds <= 0 ? Promise.resolve() : sleep((seconds * 1000) / speedup, signal)),
        onStep: (step: Step) => app.log.debug({ callSid: call.callSid, step }, 'simulated outbound call step'),
      };
      const control = async () => {
        const state = telephony.callState(call.callSid);
        return { redirectedTo: state?.redirectedTo ?? null, ended: state?.status === 'completed', updateSeq: state?.updateSeq ?? 0, twiml: state?.updateTwiml ?? null };
      };
      try {
        await playOutbound(call, { base }, io, control, conferences);
      } finally {
        const state = telephony.callState(call.callSid);
        if (state && state.status !== 'completed') telephony.endCall(call.callSid);
      }
    });
  };
}
