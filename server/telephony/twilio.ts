// The Twilio adapter, over the official `twilio` library. The mapping of every operation to
// Twilio's REST API (and what Twilio cannot do for a <Dial><Number> bridge) is documented in
// types.ts. Errors from the library become TelephonyError (see toTelephonyError).
import twilio from 'twilio';
import {
  CALL_STATUS_EVENTS,
  MAX_CONFERENCES_SCANNED,
  TelephonyError,
  type AvailableNumber,
  type ControlResult,
  type HoldOptions,
  type NumberCapabilities,
  type NumberWebhooks,
  type PlaceCallInput,
  type PlacedCall,
  type PurchaseNumberInput,
  type PurchasedNumber,
  type RecordingOptions,
  type SearchNumbersInput,
  type Telephony,
  type TransferOptions,
} from './types.js';
import { holdTwiml, transferTwiml } from './twiml.js';
import {
  assertHttpUrl,
  normalizeSearch,
  validateHold,
  validatePlaceCall,
  validatePurchase,
  validateRecording,
  validateTransfer,
  validateWebhooks,
} from './validation.js';

export interface TwilioTelephonyOptions {
  accountSid: string;
  authToken: string;
  /** Replaces the library's HTTP client (tests: LocalTwilioHttpClient pointing at a mock). */
  httpClient?: twilio.RequestClient;
  /** Request timeout in milliseconds for the default client (default 15 s). */
  timeoutMs?: number;
}

export interface TwilioTelephony extends Telephony {
  readonly kind: 'twilio';
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const NUMBER_SID = /^PN[0-9a-fA-F]{32}$/;
const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
/** Call statuses after which no control is possible. */
const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** Twilio error codes with a meaning of their own. */
const TWILIO_CODE_KIND: Record<number, TelephonyError['kind']> = {
  20404: 'not_found', // The requested resource was not found
  21220: 'conflict', // Invalid call state (call not in progress)
  21422: 'conflict', // Phone number requested is not available
  21452: 'conflict', // No phone numbers found in area code (purchase by area code)
};

interface RestErrorLike {
  status: number;
  code?: number;
  message?: string;
  moreInfo?: string;
}

function isRestError(err: unknown): err is RestErrorLike {
  return (
    err instanceof twilio.RestException ||
    (typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number')
  );
}

/** Map whatever the library threw to a TelephonyError; `what` names the thing for messages. */
export function toTelephonyError(err: unknown, what: string): TelephonyError {
  if (err instanceof TelephonyError) return err;
  if (isRestError(err)) {
    const details = {
      providerStatus: err.status,
      ...(err.code !== undefined ? { providerCode: err.code } : {}),
      ...(err.moreInfo !== undefined ? { moreInfo: err.moreInfo } : {}),
    };
    const message = `Twilio: ${err.message ?? `HTTP ${err.status}`}`;
    const byCode = err.code !== undefined ? TWILIO_CODE_KIND[err.code] : undefined;
    let kind: TelephonyError['kind'];
    if (byCode) kind = byCode;
    else if (err.status === 404) kind = 'not_found';
    else if (err.status === 409) kind = 'conflict';
    else if (err.status === 400 || err.status === 422) kind = 'invalid';
    else kind = 'provider_error'; // 401/403 (our credentials), 429, 5xx
    return new TelephonyError(kind, kind === 'not_found' ? `${what} not found (${message})` : message, details, { cause: err });
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new TelephonyError('provider_error', `Twilio could not be reached: ${reason}`, {}, { cause: err });
}

function notFound(what: string): TelephonyError {
  return new TelephonyError('not_found', `${what} not found`);
}

function capabilities(raw: unknown): NumberCapabilities {
  // The spec (and the library's types) say lower-case sms/mms; the live API has long answered
  // SMS/MMS upper-case for numbers. Accept both.
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    voice: Boolean(c.voice ?? c.Voice),
    SMS: Boolean(c.SMS ?? c.sms),
    MMS: Boolean(c.MMS ?? c.mms),
  };
}

export function createTwilioTelephony(options: TwilioTelephonyOptions): TwilioTelephony {
  if (!ACCOUNT_SID.test(options.accountSid)) throw new Error('accountSid must be AC followed by 32 hex characters');
  if (!options.authToken) throw new Error('authToken is required');
  const client = twilio(
    options.accountSid,
    options.authToken,
    options.httpClient
      ? { httpClient: options.httpClient }
      : { timeout: options.timeoutMs ?? 15_000, autoRetry: true, maxRetries: 3 },
  );

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toTelephonyError(err, what);
    }
  }

  function callSidOrThrow(callSid: string): string {
    if (typeof callSid !== 'string' || !CALL_SID.test(callSid)) throw notFound(`Call ${String(callSid)}`);
    return callSid;
  }

  function numberSidOrThrow(sid: string): string {
    if (typeof sid !== 'string' || !NUMBER_SID.test(sid)) throw notFound(`Phone number ${String(sid)}`);
    return sid;
  }

  /**
   * The conference (CF…) the call is a participant of, or null (the usual <Dial><Number> bridge).
   * Every page of in-progress conferences is looked at (until the call is found): a call missed
   * beyond the first page would be taken for a two-party bridge, and a hold would then redirect it
   * out of its conference.
   */
  async function conferenceOf(callSid: string): Promise<string | null> {
    type ConferencePage = Awaited<ReturnType<typeof client.conferences.page>>;
    let page: ConferencePage | undefined = await call('Conferences', () =>
      client.conferences.page({ status: 'in-progress', pageSize: MAX_CONFERENCES_SCANNED }),
    );
    while (page !== undefined) {
      for (const conference of page.instances) {
        try {
          await client.conferences(conference.sid).participants(callSid).fetch();
          return conference.sid;
        } catch (err) {
          if (isRestError(err) && err.status === 404) continue;
          throw toTelephonyError(err, 'Conference participant');
        }
      }
      const next = page.nextPage() as Promise<ConferencePage> | undefined; // undefined: the last page
      page = next === undefined ? undefined : await call('Conferences', () => next);
    }
    return null;
  }

  /** Why a call that is not in a conference cannot be muted: unknown, ended, or a two-party bridge. */
  async function muteRefusal(callSid: string, action: 'mute' | 'unmute'): Promise<TelephonyError> {
    const found = await call(`Call ${callSid}`, () => client.calls(callSid).fetch());
    if (FINAL_CALL_STATUSES.has(found.status)) {
      return new TelephonyError('conflict', `Call ${callSid} has ended (${found.status})`);
    }
    return new TelephonyError(
      'not_supported',
      `Twilio cannot ${action} call ${callSid}: only conference participants can be muted, and this call is ` +
        'not in a conference (a call bridged with <Dial><Number> has no mute control)',
    );
  }

  async function setMuted(callSid: string, muted: boolean): Promise<void> {
    callSidOrThrow(callSid);
    const conferenceSid = await conferenceOf(callSid);
    if (conferenceSid === null) throw await muteRefusal(callSid, muted ? 'mute' : 'unmute');
    await call(`Call ${callSid}`, () => client.conferences(conferenceSid).participants(callSid).update({ muted }));
  }

  return {
    kind: 'twilio',

    async searchNumbers(input: SearchNumbersInput): Promise<AvailableNumber[]> {
      const search = normalizeSearch(input);
      const country = client.availablePhoneNumbers(search.country);
      const params = {
        ...(search.areaCode !== undefined ? { areaCode: Number(search.areaCode) } : {}),
        ...(search.contains !== undefined ? { contains: search.contains } : {}),
        limit: search.limit,
      };
      const found = await call(`Numbers in ${search.country}`, async () => {
        if (search.type === 'local') return country.local.list(params);
        if (search.type === 'tollFree') return country.tollFree.list(params);
        return country.mobile.list(params);
      });
      return found.slice(0, search.limit).map((n) => ({
        phoneNumber: n.phoneNumber,
        friendlyName: n.friendlyName ?? n.phoneNumber,
        region: n.region ?? null,
        isoCountry: n.isoCountry ?? search.country,
        capabilities: capabilities(n.capabilities),
      }));
    },

    async purchaseNumber(input: PurchaseNumberInput): Promise<PurchasedNumber> {
      validatePurchase(input);
      const created = await call(`Phone number ${input.phoneNumber}`, () =>
        client.incomingPhoneNumbers.create({
          phoneNumber: input.phoneNumber,
          ...(input.friendlyName !== undefined ? { friendlyName: input.friendlyName } : {}),
          voiceUrl: input.voiceUrl,
          voiceMethod: 'POST',
          statusCallback: input.statusCallbackUrl,
          statusCallbackMethod: 'POST',
        }),
      );
      return {
        sid: created.sid,
        phoneNumber: created.phoneNumber,
        friendlyName: created.friendlyName ?? created.phoneNumber,
        capabilities: capabilities(created.capabilities),
        // The IncomingPhoneNumber resource carries no price (that is the separate Pricing API).
        monthlyFee: null,
      };
    },

    async configureNumber(sid: string, webhooks: NumberWebhooks): Promise<void> {
      numberSidOrThrow(sid);
      validateWebhooks(webhooks);
      await call(`Phone number ${sid}`, () =>
        client.incomingPhoneNumbers(sid).update({
          voiceUrl: webhooks.voiceUrl,
          voiceMethod: 'POST',
          statusCallback: webhooks.statusCallbackUrl,
          statusCallbackMethod: 'POST',
        }),
      );
    },

    async findOwnedNumber(phoneNumber: string, voiceUrl: string): Promise<PurchasedNumber | null> {
      const found = await call(`Phone number ${phoneNumber}`, () => client.incomingPhoneNumbers.list({ phoneNumber, limit: 1 }));
      const n = found.find((x) => x.phoneNumber === phoneNumber && x.voiceUrl === voiceUrl);
      if (!n) return null;
      return { sid: n.sid, phoneNumber: n.phoneNumber, friendlyName: n.friendlyName ?? n.phoneNumber, capabilities: capabilities(n.capabilities), monthlyFee: null };
    },

    async releaseNumber(sid: string): Promise<void> {
      numberSidOrThrow(sid);
      await call(`Phone number ${sid}`, () => client.incomingPhoneNumbers(sid).remove());
    },

    async transferCall(callSid: string, to: string, options: TransferOptions = {}): Promise<void> {
      callSidOrThrow(callSid);
      validateTransfer(to, options);
      const twiml = transferTwiml(to, options);
      await call(`Call ${callSid}`, () => client.calls(callSid).update({ twiml }));
    },

    async holdCall(callSid: string, options: HoldOptions = {}): Promise<ControlResult> {
      callSidOrThrow(callSid);
      validateHold(options);
      const conferenceSid = await conferenceOf(callSid);
      if (conferenceSid !== null) {
        await call(`Call ${callSid}`, () =>
          client.conferences(conferenceSid).participants(callSid).update({
            hold: true,
            ...(options.holdMusicUrl !== undefined ? { holdUrl: options.holdMusicUrl, holdMethod: 'GET' } : {}),
          }),
        );
        return { via: 'conference_participant' };
      }
      const twiml = holdTwiml(options);
      await call(`Call ${callSid}`, () => client.calls(callSid).update({ twiml }));
      return { via: 'call_update' };
    },

    async resumeCall(callSid: string, resumeUrl: string): Promise<ControlResult> {
      callSidOrThrow(callSid);
      assertHttpUrl(resumeUrl, 'resumeUrl');
      const conferenceSid = await conferenceOf(callSid);
      if (conferenceSid !== null) {
        await call(`Call ${callSid}`, () => client.conferences(conferenceSid).participants(callSid).update({ hold: false }));
        return { via: 'conference_participant' };
      }
      await call(`Call ${callSid}`, () => client.calls(callSid).update({ url: resumeUrl, method: 'POST' }));
      return { via: 'call_update' };
    },

    async redirectCall(callSid: string, url: string): Promise<void> {
      callSidOrThrow(callSid);
      assertHttpUrl(url, 'url');
      await call(`Call ${callSid}`, () => client.calls(callSid).update({ url, method: 'POST' }));
    },

    muteCall: (callSid: string) => setMuted(callSid, true),
    unmuteCall: (callSid: string) => setMuted(callSid, false),

    async startRecording(callSid: string, options: RecordingOptions = {}): Promise<{ recordingSid: string }> {
      callSidOrThrow(callSid);
      validateRecording(options);
      const recording = await call(`Call ${callSid}`, () =>
        client.calls(callSid).recordings.create(
          options.statusCallbackUrl !== undefined
            ? // RecordingStatusCallbackEvent is left at Twilio's default, `completed`.
              { recordingStatusCallback: options.statusCallbackUrl, recordingStatusCallbackMethod: 'POST' }
            : {},
        ),
      );
      return { recordingSid: recording.sid };
    },

    async stopRecording(callSid: string, recordingSid: string): Promise<void> {
      callSidOrThrow(callSid);
      if (typeof recordingSid !== 'string' || !RECORDING_SID.test(recordingSid)) throw notFound(`Recording ${String(recordingSid)}`);
      await call(`Recording ${recordingSid}`, () => client.calls(callSid).recordings(recordingSid).update({ status: 'stopped' }));
    },

    async hangupCall(callSid: string): Promise<void> {
      callSidOrThrow(callSid);
      try {
        await call(`Call ${callSid}`, () => client.calls(callSid).update({ status: 'completed' }));
      } catch (err) {
        // 21220: the call is no longer in progress — it is already hung up, which is what we want.
        if (err instanceof TelephonyError && err.details.providerCode === 21220) return;
        throw err;
      }
    },

    async placeCall(input: PlaceCallInput): Promise<PlacedCall> {
      validatePlaceCall(input);
      const amd = input.machineDetection;
      const created = await call(`Call to ${input.to}`, () =>
        client.calls.create({
          to: input.to,
          from: input.from,
          url: input.answerUrl,
          method: 'POST',
          statusCallback: input.statusCallbackUrl,
          statusCallbackMethod: 'POST',
          statusCallbackEvent: [...(input.statusEvents ?? CALL_STATUS_EVENTS)],
          ...(input.timeoutSeconds !== undefined ? { timeout: input.timeoutSeconds } : {}),
          ...(amd
            ? {
                machineDetection: amd.mode,
                asyncAmd: 'true',
                asyncAmdStatusCallback: amd.statusCallbackUrl,
                asyncAmdStatusCallbackMethod: 'POST',
                ...(amd.timeoutSeconds !== undefined ? { machineDetectionTimeout: amd.timeoutSeconds } : {}),
              }
            : {}),
          ...(input.recordingStatusCallbackUrl !== undefined
            ? { record: true, recordingStatusCallback: input.recordingStatusCallbackUrl, recordingStatusCallbackMethod: 'POST' }
            : {}),
        }),
      );
      return { callSid: created.sid };
    },
  };
}
