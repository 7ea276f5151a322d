// The simulator's number catalogue (pure): fictional numbers only — North American +1 NPA
// 555-01XX and toll-free 8XX 555-01XX, the UK's reserved drama ranges — with regions and
// capabilities, and the `contains` search pattern (digits, letters on the keypad, `*`).
import { SIMULATOR_NAME_SUFFIX } from './label.js';
import type { NumberCapabilities, NumberType } from '../types.js';

const US_DEFAULT_AREA_CODES = ['415', '212', '312', '512', '617'];
const CA_DEFAULT_AREA_CODES = ['416', '604', '514'];
const CA_AREA_CODES = new Set(['204', '226', '236', '249', '250', '289', '306', '343', '365', '403', '416', '418', '431', '437', '438', '450', '506', '514', '519', '548', '579', '581', '587', '600', '604', '613', '639', '647', '672', '705', '709', '778', '780', '782', '807', '819', '825', '867', '873', '902', '905']);
const TOLL_FREE_AREA_CODES = ['800', '888', '877', '866', '855', '844', '833'];
const NANP_REGIONS: Record<string, string> = {
  '212': 'NY', '213': 'CA', '305': 'FL', '312': 'IL', '404': 'GA', '415': 'CA', '512': 'TX',
  '602': 'AZ', '617': 'MA', '702': 'NV', '206': 'WA', '303': 'CO', '214': 'TX', '202': 'DC',
  '416': 'ON', '604': 'BC', '514': 'QC', '403': 'AB', '613': 'ON', '902': 'NS',
};

interface CatalogueEntry {
  phoneNumber: string;
  friendlyName: string;
  region: string | null;
  isoCountry: string;
  type: NumberType;
  capabilities: NumberCapabilities;
}

export const LOCAL_CAPS: NumberCapabilities = { voice: true, SMS: true, MMS: true };
const TOLL_FREE_CAPS: NumberCapabilities = { voice: true, SMS: true, MMS: false };
const GB_LOCAL_CAPS: NumberCapabilities = { voice: true, SMS: false, MMS: false };
const GB_MOBILE_CAPS: NumberCapabilities = { voice: true, SMS: true, MMS: false };

export function labelled(name: string): string {
  return `${name} ${SIMULATOR_NAME_SUFFIX}`;
}

function nanpEntry(npa: string, line: string, country: 'US' | 'CA', type: NumberType): CatalogueEntry {
  return {
    phoneNumber: `+1${npa}555${line}`,
    friendlyName: labelled(`(${npa}) 555-${line}`),
    region: type === 'tollFree' ? null : (NANP_REGIONS[npa] ?? null),
    isoCountry: country,
    type,
    capabilities: type === 'tollFree' ? TOLL_FREE_CAPS : LOCAL_CAPS,
  };
}

function gbEntry(type: NumberType, last: string): CatalogueEntry {
  if (type === 'local') {
    return { phoneNumber: `+442079460${last}`, friendlyName: labelled(`+44 20 7946 0${last}`), region: 'London', isoCountry: 'GB', type, capabilities: GB_LOCAL_CAPS };
  }
  if (type === 'mobile') {
    return { phoneNumber: `+447700900${last}`, friendlyName: labelled(`+44 7700 900${last}`), region: null, isoCountry: 'GB', type, capabilities: GB_MOBILE_CAPS };
  }
  return { phoneNumber: `+448081570${last}`, friendlyName: labelled(`+44 808 157 0${last}`), region: null, isoCountry: 'GB', type, capabilities: TOLL_FREE_CAPS };
}

/** All numbers the simulator could offer for a search, in a fixed order. */
export function* catalogue(country: string, type: NumberType, areaCode: string | undefined): Generator<CatalogueEntry> {
  if (country === 'US' || country === 'CA') {
    if (type === 'mobile') return;
    let areaCodes: string[];
    if (type === 'tollFree') {
      areaCodes = areaCode === undefined ? TOLL_FREE_AREA_CODES : TOLL_FREE_AREA_CODES.filter((a) => a === areaCode);
    } else if (areaCode !== undefined) {
      // A local search offers the area code only in its own country, and never a toll-free one.
      const countryOfAreaCode = CA_AREA_CODES.has(areaCode) ? 'CA' : 'US';
      areaCodes = TOLL_FREE_AREA_CODES.includes(areaCode) || countryOfAreaCode !== country ? [] : [areaCode];
    } else {
      areaCodes = country === 'US' ? US_DEFAULT_AREA_CODES : CA_DEFAULT_AREA_CODES;
    }
    for (const npa of areaCodes) {
      for (let i = 0; i < 100; i += 1) yield nanpEntry(npa, `01${String(i).padStart(2, '0')}`, country, type);
    }
    return;
  }
  if (country === 'GB') {
    for (let i = 0; i < 1000; i += 1) yield gbEntry(type, String(i).padStart(3, '0'));
  }
}

/** The catalogue entry for a number, or undefined when the simulator never sells it. */
export function lookupNumber(phoneNumber: string): CatalogueEntry | undefined {
  const nanp = /^\+1([2-9]\d{2})555(01\d{2})$/.exec(phoneNumber);
  if (nanp) {
    const npa = nanp[1] as string;
    const line = nanp[2] as string;
    if (TOLL_FREE_AREA_CODES.includes(npa)) return nanpEntry(npa, line, 'US', 'tollFree');
    return nanpEntry(npa, line, CA_AREA_CODES.has(npa) ? 'CA' : 'US', 'local');
  }
  const gb = /^\+44(?:2079460|7700900|8081570)(\d{3})$/.exec(phoneNumber);
  if (gb) {
    const last = gb[1] as string;
    if (phoneNumber.startsWith('+44207')) return gbEntry('local', last);
    if (phoneNumber.startsWith('+447700')) return gbEntry('mobile', last);
    return gbEntry('tollFree', last);
  }
  return undefined;
}

const KEYPAD: Record<string, string> = {};
for (const [digit, letters] of Object.entries({ 2: 'abc', 3: 'def', 4: 'ghi', 5: 'jkl', 6: 'mno', 7: 'pqrs', 8: 'tuv', 9: 'wxyz' })) {
  for (const letter of letters) KEYPAD[letter] = digit;
}

/** Twilio's `contains` pattern as a RegExp over the E.164 number. */
export function containsPattern(pattern: string): RegExp {
  let source = '';
  let rest = pattern;
  if (rest.startsWith('+')) {
    source += '^\\+';
    rest = rest.slice(1);
  }
  let anchoredEnd = false;
  if (rest.endsWith('$')) {
    anchoredEnd = true;
    rest = rest.slice(0, -1);
  }
  for (const ch of rest.toLowerCase()) {
    if (ch === '*') source += '\\d';
    else if (ch === '%') source += '\\d*';
    else if (/\d/.test(ch)) source += ch;
    else if (KEYPAD[ch] !== undefined) source += KEYPAD[ch];
    else source += '\\' + ch; // '+' or '$' in the middle: literal, matches nothing useful
  }
  return new RegExp(source + (anchoredEnd ? '$' : ''));
}
