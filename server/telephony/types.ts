// The telephony port: what the call path and the numbers API need from a carrier. Two adapters:
// `twilio.ts` (the official `twilio` library, real numbers and calls) and `simulator.ts` (a
// clearly labelled local stand-in used without Twilio credentials or with TELEPHONY=simulator).
// No HTTP routing and no SQL here; the API layer maps TelephonyError kinds to status codes.
//
// How each operation maps to Twilio (REST API 2010-04-01; TwiML only via twilio.twiml.VoiceResponse):
//
//   searchNumbers     GET  AvailablePhoneNumbers/{country}/Local|TollFree|Mobile.json
//                          (AreaCode, Contains, PageSize = limit).
//   purchaseNumber    POST IncomingPhoneNumbers.json with PhoneNumber, FriendlyName,
//                          VoiceUrl + VoiceMethod=POST (our voice webhook) and
//                          StatusCallback + StatusCallbackMethod=POST (our call-status webhook).
//                          Twilio's purchase answer carries no price, so monthlyFee is null there.
//   configureNumber   POST IncomingPhoneNumbers/{PN…}.json with the same four webhook fields.
//   releaseNumber     DELETE IncomingPhoneNumbers/{PN…}.json.
//
//   Call control acts on the *inbound caller's* call (the CallSid our voice webhook received).
//   Our call path bridges that call to a buyer with <Dial><Number> (DESIGN 4.1): a two-party
//   bridge, not a conference. Twilio's consequences, stated plainly:
//
//   transferCall      POST Calls/{CA…}.json Twiml=<Response><Dial><Number>to</Number></Dial></Response>.
//                     The call leaves its current <Dial>, so the current buyer leg is hung up
//                     and the caller is dialled to `to` (a cold transfer).
//   holdCall          In a conference: POST Conferences/{CF…}/Participants/{CA…}.json Hold=true
//                     (a true hold: the others stay connected). Otherwise (the normal
//                     <Dial><Number> bridge): POST Calls/{CA…}.json Twiml=<Play loop="0">hold audio.
//                     The caller hears hold music, but Twilio ends the bridged buyer leg when the
//                     caller leaves <Dial> — it "parks" the caller; there is no way to keep a
//                     <Dial><Number> bridge up while one side is on hold. The result says which
//                     (`via`).
//   resumeCall        In a conference: Participants/{CA…} Hold=false. Otherwise: POST Calls/{CA…}.json
//                     Url=resumeUrl Method=POST — Twilio fetches new TwiML from `resumeUrl` (ours,
//                     e.g. one that dials the buyer again).
//   muteCall/unmute   Only conference participants can be muted (Participants/{CA…} Muted=true|false).
//                     A call bridged with <Dial><Number> cannot be muted by Twilio at all:
//                     TelephonyError 'not_supported' (after checking the call exists and is live).
//   startRecording    POST Calls/{CA…}/Recordings.json (the call's Recordings sub-resource; records
//                     both sides of the bridge) → the RE… sid.
//   stopRecording     POST Calls/{CA…}/Recordings/{RE…}.json Status=stopped.
//   hangupCall        POST Calls/{CA…}.json Status=completed (ends the caller and the bridged leg).
//                     Hanging up a call that has already ended is a no-op, not an error.
//
//   placeCall         POST Calls.json (an outbound call, for the dialer): To, From, Url (our answer
//                     webhook, POST), StatusCallback (POST) with StatusCallbackEvent initiated /
//                     ringing / answered / completed, Timeout; with answering-machine detection
//                     MachineDetection (Enable | DetectMessageEnd), AsyncAmd=true,
//                     AsyncAmdStatusCallback (POST), MachineDetectionTimeout; with recording
//                     Record=true, RecordingStatusCallback (POST). → the CA… sid.
//
// Conference detection (hold/resume/mute/unmute): the in-progress conferences of the account are
// listed (MAX_CONFERENCES_SCANNED a page, every page until the call is found) and the call looked
// up as a participant in each; with no conferences that is a single request.

export type NumberType = 'local' | 'tollFree' | 'mobile';
export const NUMBER_TYPES: readonly NumberType[] = ['local', 'tollFree', 'mobile'];

export interface NumberCapabilities {
  voice: boolean;
  SMS: boolean;
  MMS: boolean;
}

export interface SearchNumbersInput {
  /** ISO 3166-1 alpha-2, e.g. 'US' (lower case is accepted and upper-cased). */
  country: string;
  type: NumberType;
  /** US/CA area code (three digits). */
  areaCode?: string;
  /** Twilio's pattern: 2–16 of digits, letters (keypad), `*` one character, `%` any run, leading `+`, trailing `$`. */
  contains?: string;
  /** 1…MAX_SEARCH_LIMIT. */
  limit: number;
}

export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string;
  /** State / province / region; null where the carrier has none (e.g. toll-free). */
  region: string | null;
  isoCountry: string;
  capabilities: NumberCapabilities;
}

export interface PurchaseNumberInput {
  /** E.164. */
  phoneNumber: string;
  friendlyName?: string;
  /** Our voice webhook; Twilio POSTs incoming calls there. */
  voiceUrl: string;
  /** Our call-status webhook; Twilio POSTs status callbacks there. */
  statusCallbackUrl: string;
}

export interface PurchasedNumber {
  /** The provider's number sid (Twilio: PN + 32 hex; simulator: PNsim + 29 hex). */
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  capabilities: NumberCapabilities;
  /** Decimal string in the account currency, or null when the provider does not say (Twilio). */
  monthlyFee: string | null;
}

export interface NumberWebhooks {
  voiceUrl: string;
  statusCallbackUrl: string;
}

export interface TransferOptions {
  /** <Dial action> — where Twilio reports the outcome of the new leg (our dial-status webhook). */
  actionUrl?: string;
  /** <Dial callerId>; must be a number the account owns or has verified. */
  callerId?: string;
  /** <Dial timeout> in seconds (5–600). */
  timeoutSeconds?: number;
}

export interface HoldOptions {
  /** Audio played in a loop while the caller is parked (default: Twilio's hold music). */
  holdMusicUrl?: string;
}

export interface RecordingOptions {
  /** Twilio POSTs the recording status (completed, with RecordingUrl) here. */
  statusCallbackUrl?: string;
}

/** Twilio's status callback events of a call. */
export type CallStatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';
export const CALL_STATUS_EVENTS: readonly CallStatusEvent[] = ['initiated', 'ringing', 'answered', 'completed'];

export interface MachineDetectionOptions {
  /** `Enable`: decide as soon as possible; `DetectMessageEnd`: for a machine, wait for the beep. */
  mode: 'Enable' | 'DetectMessageEnd';
  /** Asynchronous AMD: the call is answered at once and the result POSTed here (AnsweredBy). */
  statusCallbackUrl: string;
  /** MachineDetectionTimeout, 3–59 seconds (Twilio's default 30). */
  timeoutSeconds?: number;
}

export interface PlaceCallInput {
  /** The person called (E.164). */
  to: string;
  /** Our caller id: one of the account's numbers (E.164). */
  from: string;
  /** Our answer webhook: Twilio POSTs there when the call is answered and plays the TwiML. */
  answerUrl: string;
  /** Our call-status webhook (POST). */
  statusCallbackUrl: string;
  /** Which status events are POSTed (default: all four). */
  statusEvents?: readonly CallStatusEvent[];
  /** Seconds to let it ring, 5–600 (Twilio's default 60). */
  timeoutSeconds?: number;
  machineDetection?: MachineDetectionOptions;
  /** Record the call; the recording's status is POSTed here. */
  recordingStatusCallbackUrl?: string;
}

export interface PlacedCall {
  /** The carrier's call sid (Twilio: CA + 32 hex; simulator: CA + 32 hex, labelled by its store). */
  callSid: string;
}

/** How a hold / resume was carried out: a conference participant update, or a call redirect. */
export interface ControlResult {
  via: 'conference_participant' | 'call_update';
}

export interface Telephony {
  readonly kind: 'twilio' | 'simulator';
  searchNumbers(input: SearchNumbersInput): Promise<AvailableNumber[]>;
  purchaseNumber(input: PurchaseNumberInput): Promise<PurchasedNumber>;
  configureNumber(sid: string, webhooks: NumberWebhooks): Promise<void>;
  releaseNumber(sid: string): Promise<void>;
  /**
   * The account's own number `phoneNumber` whose voice URL is `voiceUrl` (set by a purchase of this
   * server), or null: after a purchase whose answer was lost (a timeout), whether it was bought
   * after all (Twilio: GET IncomingPhoneNumbers.json?PhoneNumber=). A number the account holds for
   * something else (another voice URL) is never taken for it.
   */
  findOwnedNumber(phoneNumber: string, voiceUrl: string): Promise<PurchasedNumber | null>;
  /** Cold transfer: the caller is dialled to `to` (E.164); the current bridged leg ends. */
  transferCall(callSid: string, to: string, options?: TransferOptions): Promise<void>;
  holdCall(callSid: string, options?: HoldOptions): Promise<ControlResult>;
  resumeCall(callSid: string, resumeUrl: string): Promise<ControlResult>;
  /** 'not_supported' unless the call is a conference participant. */
  muteCall(callSid: string): Promise<void>;
  unmuteCall(callSid: string): Promise<void>;
  startRecording(callSid: string, options?: RecordingOptions): Promise<{ recordingSid: string }>;
  stopRecording(callSid: string, recordingSid: string): Promise<void>;
  hangupCall(callSid: string): Promise<void>;
  /**
   * New TwiML for a live call, fetched from `url` (POST): the call leaves any conference or bridge
   * (Twilio: a call update with Url). 'conflict' when the call has ended.
   */
  redirectCall(callSid: string, url: string): Promise<void>;
  /** An outbound call (the dialer): the carrier calls `to` and drives our webhooks. */
  placeCall(input: PlaceCallInput): Promise<PlacedCall>;
}

export type TelephonyErrorKind =
  /** Unknown call, number or recording. → 404 */
  | 'not_found'
  /** The carrier cannot do this for this call (e.g. mute of a <Dial><Number> bridge). → 409 / 422 */
  | 'not_supported'
  /** Bad input (number format, URL, limit…), or the carrier rejected the parameters. → 400 */
  | 'invalid'
  /** The call has ended, the number is no longer available, the recording is already stopped. → 409 */
  | 'conflict'
  /** The carrier failed, refused our credentials or could not be reached. → 502 */
  | 'provider_error';

export class TelephonyError extends Error {
  override readonly name = 'TelephonyError';
  constructor(
    readonly kind: TelephonyErrorKind,
    message: string,
    readonly details: {
      /** HTTP status the provider answered, if any. */
      providerStatus?: number;
      /** Provider error code (Twilio's numeric codes, e.g. 20404, 21220). */
      providerCode?: number;
      moreInfo?: string;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isTelephonyError(err: unknown, kind?: TelephonyErrorKind): err is TelephonyError {
  return err instanceof TelephonyError && (kind === undefined || err.kind === kind);
}

export const MAX_SEARCH_LIMIT = 1000;
/** The page size of the in-progress conference listing (conference detection reads every page). */
export const MAX_CONFERENCES_SCANNED = 100;
/** Twilio's own hold music (what a conference plays to a held participant by default). */
export const DEFAULT_HOLD_MUSIC_URL = 'http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3';
