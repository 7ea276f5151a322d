// Input checks shared by both adapters, so that Twilio and the simulator refuse the same inputs
// with the same 'invalid' errors before anything is sent or recorded.
import {
  CALL_STATUS_EVENTS,
  MAX_SEARCH_LIMIT,
  NUMBER_TYPES,
  TelephonyError,
  type HoldOptions,
  type NumberWebhooks,
  type PlaceCallInput,
  type PurchaseNumberInput,
  type RecordingOptions,
  type SearchNumbersInput,
  type TransferOptions,
} from './types.js';

const E164 = /^\+[1-9]\d{1,14}$/;
const COUNTRY = /^[A-Za-z]{2}$/;
const NANP_AREA_CODE = /^[2-9]\d{2}$/;
const CONTAINS = /^[0-9A-Za-z*%+$]{2,16}$/;
/** Twilio's friendly_name limit. */
export const MAX_FRIENDLY_NAME = 64;

function invalid(message: string): TelephonyError {
  return new TelephonyError('invalid', message);
}

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}

export function assertE164(value: unknown, field: string): string {
  if (!isE164(value)) throw invalid(`${field} must be an E.164 phone number such as +14155550100`);
  return value;
}

export function assertHttpUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 2048) throw invalid(`${field} must be an absolute http(s) URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${field} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${field} must be an absolute http(s) URL`);
  return value;
}

export interface NormalizedSearch {
  country: string;
  type: SearchNumbersInput['type'];
  areaCode: string | undefined;
  contains: string | undefined;
  limit: number;
}

export function normalizeSearch(input: SearchNumbersInput): NormalizedSearch {
  if (typeof input.country !== 'string' || !COUNTRY.test(input.country)) {
    throw invalid('country must be an ISO 3166-1 alpha-2 code such as US');
  }
  const country = input.country.toUpperCase();
  if (!NUMBER_TYPES.includes(input.type)) throw invalid(`type must be one of ${NUMBER_TYPES.join(', ')}`);
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_SEARCH_LIMIT) {
    throw invalid(`limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  let areaCode: string | undefined;
  if (input.areaCode !== undefined) {
    if (!NANP_AREA_CODE.test(input.areaCode)) throw invalid('areaCode must be a three-digit US/Canada area code');
    if (country !== 'US' && country !== 'CA') throw invalid('areaCode applies only to US and CA numbers');
    areaCode = input.areaCode;
  }
  let contains: string | undefined;
  if (input.contains !== undefined) {
    if (!CONTAINS.test(input.contains)) {
      throw invalid('contains must be 2 to 16 digits or letters, optionally with the wildcards * and %');
    }
    contains = input.contains;
  }
  return { country, type: input.type, areaCode, contains, limit: input.limit };
}

export function validatePurchase(input: PurchaseNumberInput): PurchaseNumberInput {
  assertE164(input.phoneNumber, 'phoneNumber');
  if (input.friendlyName !== undefined) {
    if (typeof input.friendlyName !== 'string' || input.friendlyName.trim() === '' || input.friendlyName.length > MAX_FRIENDLY_NAME) {
      throw invalid(`friendlyName must be 1 to ${MAX_FRIENDLY_NAME} characters`);
    }
  }
  validateWebhooks(input);
  return input;
}

export function validateWebhooks(webhooks: NumberWebhooks): NumberWebhooks {
  assertHttpUrl(webhooks.voiceUrl, 'voiceUrl');
  assertHttpUrl(webhooks.statusCallbackUrl, 'statusCallbackUrl');
  return webhooks;
}

export function validateTransfer(to: string, options: TransferOptions): void {
  assertE164(to, 'to');
  if (options.actionUrl !== undefined) assertHttpUrl(options.actionUrl, 'actionUrl');
  if (options.callerId !== undefined) assertE164(options.callerId, 'callerId');
  if (
    options.timeoutSeconds !== undefined &&
    (!Number.isInteger(options.timeoutSeconds) || options.timeoutSeconds < 5 || options.timeoutSeconds > 600)
  ) {
    throw invalid('timeoutSeconds must be a whole number from 5 to 600');
  }
}

export function validateHold(options: HoldOptions): void {
  if (options.holdMusicUrl !== undefined) assertHttpUrl(options.holdMusicUrl, 'holdMusicUrl');
}

export function validateRecording(options: RecordingOptions): void {
  if (options.statusCallbackUrl !== undefined) assertHttpUrl(options.statusCallbackUrl, 'statusCallbackUrl');
}

/** An outbound call's input, refused the same way by both adapters before anything is sent. */
export function validatePlaceCall(input: PlaceCallInput): void {
  assertE164(input.to, 'to');
  assertE164(input.from, 'from');
  assertHttpUrl(input.answerUrl, 'answerUrl');
  assertHttpUrl(input.statusCallbackUrl, 'statusCallbackUrl');
  for (const event of input.statusEvents ?? []) {
    if (!CALL_STATUS_EVENTS.includes(event)) throw invalid(`statusEvents must be among ${CALL_STATUS_EVENTS.join(', ')}`);
  }
  const timeout = input.timeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 5 || timeout > 600)) throw invalid('timeoutSeconds must be a whole number from 5 to 600');
  const amd = input.machineDetection;
  if (amd !== undefined) {
    if (amd.mode !== 'Enable' && amd.mode !== 'DetectMessageEnd') throw invalid('machineDetection.mode must be Enable or DetectMessageEnd');
    assertHttpUrl(amd.statusCallbackUrl, 'machineDetection.statusCallbackUrl');
    const seconds = amd.timeoutSeconds;
    if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 3 || seconds > 59)) throw invalid('machineDetection.timeoutSeconds must be a whole number from 3 to 59');
  }
  if (input.recordingStatusCallbackUrl !== undefined) assertHttpUrl(input.recordingStatusCallbackUrl, 'recordingStatusCallbackUrl');
}
