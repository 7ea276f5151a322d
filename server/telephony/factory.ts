// Chooses the telephony adapter from configuration (DESIGN 5 and 8): TELEPHONY=twilio uses the
// official library with TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; TELEPHONY=simulator (the default
// without credentials) uses the labelled local simulator. The result is a discriminated union on
// `kind`, so callers can reach the simulator's extras (registerCall, actions) after a check.
import type twilio from 'twilio';
import type { Config } from '../platform/config.js';
import { createSimulatorTelephony, type SimulatorOptions, type SimulatorTelephony } from './simulator/simulator.js';
import { createTwilioTelephony, type TwilioTelephony } from './twilio.js';

export type AnyTelephony = TwilioTelephony | SimulatorTelephony;

export interface CreateTelephonyOptions {
  /** Twilio only: replaces the library's HTTP client (e.g. LocalTwilioHttpClient). */
  httpClient?: twilio.RequestClient;
  /** Twilio only: request timeout in milliseconds. */
  timeoutMs?: number;
  /** Simulator only. */
  simulator?: SimulatorOptions;
}

export function createTelephony(
  config: Pick<Config, 'telephony' | 'twilioAccountSid' | 'twilioAuthToken'>,
  options: CreateTelephonyOptions = {},
): AnyTelephony {
  if (config.telephony === 'simulator') return createSimulatorTelephony(options.simulator);
  if (!config.twilioAccountSid || !config.twilioAuthToken) {
    // loadConfig already refuses this combination; a hand-built config may not.
    throw new Error('TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  }
  return createTwilioTelephony({
    accountSid: config.twilioAccountSid,
    authToken: config.twilioAuthToken,
    ...(options.httpClient !== undefined ? { httpClient: options.httpClient } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}
