/** The header an `api_key` target's token is sent in when the target names none. */
export const DEFAULT_API_KEY_HEADER = 'X-API-Key';
