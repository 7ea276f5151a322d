// The simulator's numbers: it "sells" only fictional numbers from its catalogue
// (simulator-catalogue.ts), and knows a number once it sold it or was told (`register`, e.g.
// numbers restored from the database after a restart). In memory; `held` (the app: the database's
// phone_numbers) names the numbers held elsewhere, which a search never offers — as Twilio never
// offers a number someone holds, after a restart or on another instance.
import { LOCAL_CAPS, catalogue, containsPattern, labelled, lookupNumber } from './catalogue.js';
import { SIMULATOR_MONTHLY_FEE, SIMULATOR_NAME_SUFFIX } from './label.js';
import type { ActionLog, SidMaker } from './log.js';
import {
  TelephonyError,
  type AvailableNumber,
  type NumberCapabilities,
  type NumberWebhooks,
  type PurchaseNumberInput,
  type PurchasedNumber,
  type SearchNumbersInput,
} from '../types.js';
import { assertE164, normalizeSearch, validatePurchase, validateWebhooks } from '../validation.js';

export interface SimulatorNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  capabilities: NumberCapabilities;
  voiceUrl: string | null;
  statusCallbackUrl: string | null;
}

/** Which of these numbers are held outside this process's memory (held by any organisation). */
export type HeldNumbers = (phoneNumbers: readonly string[]) => Promise<ReadonlySet<string>>;

export type RegisterNumberInput = { sid: string; phoneNumber: string; friendlyName?: string } & Partial<NumberWebhooks>;

export interface SimulatorNumberDesk {
  searchNumbers(input: SearchNumbersInput): Promise<AvailableNumber[]>;
  purchaseNumber(input: PurchaseNumberInput): Promise<PurchasedNumber>;
  configureNumber(sid: string, webhooks: NumberWebhooks): Promise<void>;
  releaseNumber(sid: string): Promise<void>;
  findOwnedNumber(phoneNumber: string, voiceUrl: string): Promise<PurchasedNumber | null>;
  registerNumber(number: RegisterNumberInput): void;
  numbers(): SimulatorNumber[];
}

export function createNumberDesk(log: ActionLog, newSid: SidMaker, held?: HeldNumbers): SimulatorNumberDesk {
  const owned = new Map<string, SimulatorNumber>();

  function ownedNumber(sid: string): SimulatorNumber {
    const number = typeof sid === 'string' ? owned.get(sid) : undefined;
    if (!number) throw new TelephonyError('not_found', `Phone number ${String(sid)} not found (simulator)`);
    return number;
  }

  function isOwnedPhoneNumber(phoneNumber: string): boolean {
    for (const n of owned.values()) if (n.phoneNumber === phoneNumber) return true;
    return false;
  }

  return {
    async searchNumbers(input) {
      const search = normalizeSearch(input);
      const pattern = search.contains !== undefined ? containsPattern(search.contains) : undefined;
      const candidates = [...catalogue(search.country, search.type, search.areaCode)].filter(
        (entry) => !isOwnedPhoneNumber(entry.phoneNumber) && (!pattern || pattern.test(entry.phoneNumber)),
      );
      const heldElsewhere = held && candidates.length > 0 ? await held(candidates.map((entry) => entry.phoneNumber)) : new Set<string>();
      const results: AvailableNumber[] = [];
      for (const entry of candidates) {
        if (results.length >= search.limit) break;
        if (heldElsewhere.has(entry.phoneNumber)) continue;
        results.push({
          phoneNumber: entry.phoneNumber,
          friendlyName: entry.friendlyName,
          region: entry.region,
          isoCountry: entry.isoCountry,
          capabilities: { ...entry.capabilities },
        });
      }
      log.record({
        operation: 'search_numbers',
        details: {
          country: search.country,
          type: search.type,
          areaCode: search.areaCode ?? null,
          contains: search.contains ?? null,
          limit: search.limit,
          found: results.length,
        },
      });
      return results;
    },

    async purchaseNumber(input) {
      validatePurchase(input);
      const entry = lookupNumber(input.phoneNumber);
      if (!entry) {
        throw new TelephonyError(
          'invalid',
          `${input.phoneNumber} is not a simulator number: the simulator sells only fictional numbers ` +
            '(+1 NPA 555-01XX, +44 20 7946 0XXX, +44 7700 900XXX, +44 808 157 0XXX); search for one first',
        );
      }
      if (isOwnedPhoneNumber(entry.phoneNumber)) {
        throw new TelephonyError('conflict', `${input.phoneNumber} is not available: it has already been bought (simulator)`);
      }
      const friendlyName =
        input.friendlyName === undefined
          ? entry.friendlyName
          : input.friendlyName.includes(SIMULATOR_NAME_SUFFIX)
            ? input.friendlyName
            : labelled(input.friendlyName);
      const number: SimulatorNumber = {
        sid: newSid('PNsim', (sid) => owned.has(sid)),
        phoneNumber: entry.phoneNumber,
        friendlyName,
        capabilities: { ...entry.capabilities },
        voiceUrl: input.voiceUrl,
        statusCallbackUrl: input.statusCallbackUrl,
      };
      owned.set(number.sid, number);
      log.record({
        operation: 'purchase_number',
        numberSid: number.sid,
        details: {
          phoneNumber: number.phoneNumber,
          friendlyName,
          voiceUrl: input.voiceUrl,
          voiceMethod: 'POST',
          statusCallback: input.statusCallbackUrl,
          statusCallbackMethod: 'POST',
        },
      });
      return {
        sid: number.sid,
        phoneNumber: number.phoneNumber,
        friendlyName,
        capabilities: { ...number.capabilities },
        monthlyFee: SIMULATOR_MONTHLY_FEE,
      };
    },

    async configureNumber(sid, webhooks) {
      validateWebhooks(webhooks);
      const number = ownedNumber(sid);
      number.voiceUrl = webhooks.voiceUrl;
      number.statusCallbackUrl = webhooks.statusCallbackUrl;
      log.record({
        operation: 'configure_number',
        numberSid: sid,
        details: {
          phoneNumber: number.phoneNumber,
          voiceUrl: webhooks.voiceUrl,
          voiceMethod: 'POST',
          statusCallback: webhooks.statusCallbackUrl,
          statusCallbackMethod: 'POST',
        },
      });
    },

    async findOwnedNumber(phoneNumber, voiceUrl) {
      const number = [...owned.values()].find((n) => n.phoneNumber === phoneNumber && n.voiceUrl === voiceUrl);
      if (!number) return null;
      return { sid: number.sid, phoneNumber: number.phoneNumber, friendlyName: number.friendlyName, capabilities: { ...number.capabilities }, monthlyFee: SIMULATOR_MONTHLY_FEE };
    },

    async releaseNumber(sid) {
      const number = ownedNumber(sid);
      owned.delete(sid);
      log.record({ operation: 'release_number', numberSid: sid, details: { phoneNumber: number.phoneNumber } });
    },

    registerNumber(number) {
      if (typeof number.sid !== 'string' || number.sid.trim() === '') throw new TelephonyError('invalid', 'sid is required');
      assertE164(number.phoneNumber, 'phoneNumber');
      if (owned.has(number.sid)) return;
      const entry = lookupNumber(number.phoneNumber);
      owned.set(number.sid, {
        sid: number.sid,
        phoneNumber: number.phoneNumber,
        friendlyName: number.friendlyName ?? entry?.friendlyName ?? labelled(number.phoneNumber),
        capabilities: { ...(entry?.capabilities ?? LOCAL_CAPS) },
        voiceUrl: number.voiceUrl ?? null,
        statusCallbackUrl: number.statusCallbackUrl ?? null,
      });
    },

    numbers() {
      return [...owned.values()].map((n) => ({ ...n, capabilities: { ...n.capabilities } }));
    },
  };
}
