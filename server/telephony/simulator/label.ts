// How the local simulator labels itself wherever it shows up.
export const SIMULATOR_LABEL = 'Local telephony simulator: fictional numbers, no real calls';
export const SIMULATOR_NAME_SUFFIX = '(simulator)';
/** What a simulated number costs per month. */
export const SIMULATOR_MONTHLY_FEE = '0.0000';
