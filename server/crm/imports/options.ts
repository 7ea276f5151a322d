// An import's form fields -> its options (pure): seed 002's fieldMapping (JSON text), the country
// national numbers are read in, seed 004's skipHeader.
import { isPhoneCountry, UNKNOWN_PHONE_COUNTRY } from '../../accounts/organization/country.js';

export interface ImportFields {
  campaignId: string | null;
  fieldMapping: Record<string, string> | undefined;
  defaultCountry: string | undefined;
  hasHeader: boolean;
}

export const IMPORT_FORM_FIELDS = ['campaignId', 'fieldMapping', 'defaultCountry', 'skipHeader'] as const;

export function parseImportFields(fields: Record<string, string>): ImportFields | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  let fieldMapping: Record<string, string> | undefined;
  if (fields.fieldMapping !== undefined && fields.fieldMapping.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fields.fieldMapping);
    } catch {
      parsed = undefined;
    }
    const entries = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : null;
    if (!entries || entries.length > 200 || entries.some(([k, v]) => typeof v !== 'string' || k.length > 200 || v.length > 120)) {
      problems.fieldMapping = 'must be a JSON object of CSV header -> lead field name (strings)';
    } else {
      fieldMapping = Object.fromEntries(entries.map(([k, v]) => [k.trim(), v as string]));
    }
  }
  const defaultCountry = fields.defaultCountry?.trim().toUpperCase();
  if (defaultCountry !== undefined && !isPhoneCountry(defaultCountry)) problems.defaultCountry = UNKNOWN_PHONE_COUNTRY;
  const skipHeader = fields.skipHeader?.trim().toLowerCase();
  if (skipHeader !== undefined && skipHeader !== 'true' && skipHeader !== 'false') problems.skipHeader = "must be 'true' or 'false'";
  const campaignId = fields.campaignId?.trim() || null;
  if (Object.keys(problems).length > 0) return { problems };
  return { campaignId, fieldMapping, defaultCountry, hasHeader: skipHeader !== 'false' };
}
