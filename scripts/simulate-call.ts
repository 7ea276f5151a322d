// Places a SIMULATED inbound call on a running server in simulator mode (TELEPHONY=simulator):
// POST /api/simulator/calls, as an admin (an API key, or a login). Prints what happened.
//
//   npm run simulate-call -- --to +12125550100 --outcome answered --duration 90
//   npm run simulate-call -- --to +12125550100 --dial-outcomes busy,answered --duration 120 --wait
//
// Flags: --to (required), --from, --outcome answered|busy|no-answer|failed, --dial-outcomes a,b,...,
// --duration <talk seconds>, --ring <seconds>, --digits 1,2 (one per <Gather>), --time-scale <0..1>,
// --wait (play the whole call before answering: time scale 0), --base-url, --api-key, --email,
// --password. Defaults from the environment (server/platform/config.ts simulatorClientSettings):
// CCP_BASE_URL (else http://HOST:PORT), CCP_API_KEY, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD.
import { parseArgs } from 'node:util';
import { createClient, type components } from '../client/index.js';
import { simulatorClientSettings } from '../server/platform/config.js';

type Outcome = components['schemas']['SimulatedDialOutcome'];
const OUTCOMES: readonly Outcome[] = ['answered', 'busy', 'no-answer', 'failed'];

function fail(message: string): never {
  console.error(`simulate-call: ${message}`);
  process.exit(2);
}

function outcome(value: string): Outcome {
  if (!(OUTCOMES as readonly string[]).includes(value)) fail(`outcome must be one of ${OUTCOMES.join(', ')} (got "${value}")`);
  return value as Outcome;
}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number of seconds (got "${value}")`);
  return n;
}

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    from: { type: 'string' },
    outcome: { type: 'string' },
    'dial-outcomes': { type: 'string' },
    duration: { type: 'string' },
    ring: { type: 'string' },
    digits: { type: 'string' },
    'time-scale': { type: 'string' },
    wait: { type: 'boolean' },
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
  },
  strict: true,
});

const settings = simulatorClientSettings();
if (!values.to) fail('--to <number> is required (one of your organisation’s numbers, E.164)');
const baseUrl = values['base-url'] ?? settings.baseUrl;
const apiKey = values['api-key'] ?? settings.apiKey;
const client = createClient({ baseUrl, cookieJar: true, ...(apiKey ? { apiKey } : {}) });

if (!apiKey) {
  const password = values.password ?? settings.password;
  if (!password) fail('give --api-key (or CCP_API_KEY), or --password (or DEMO_ADMIN_PASSWORD) for the admin login');
  const login = await client.POST('/api/login', { body: { email: values.email ?? settings.email, password } });
  if (login.response.status !== 200) fail(`login failed (${login.response.status}): ${JSON.stringify(login.error)}`);
}

const timeScale = values.wait ? 0 : values['time-scale'] === undefined ? undefined : Number(values['time-scale']);
const durationSec = whole('duration', values.duration);
const ringSec = whole('ring', values.ring);
const body: components['schemas']['SimulatedCallCreate'] = {
  to: values.to,
  ...(values.from ? { from: values.from } : {}),
  ...(values.outcome ? { outcome: outcome(values.outcome) } : {}),
  ...(values['dial-outcomes'] ? { dialOutcomes: values['dial-outcomes'].split(',').map((o) => outcome(o.trim())) } : {}),
  ...(durationSec !== undefined ? { durationSec } : {}),
  ...(ringSec !== undefined ? { ringSec } : {}),
  ...(values.digits ? { digits: values.digits.split(',').map((d) => d.trim()) } : {}),
  ...(timeScale !== undefined ? { timeScale } : {}),
};

const placed = await client.POST('/api/simulator/calls', { body });
if (!placed.data) fail(`the server answered ${placed.response.status}: ${JSON.stringify(placed.error)}`);
const call = placed.data;
console.log(`SIMULATED call ${call.callSid} to ${values.to} — ${call.status} (${call.label})`);
for (const step of call.steps) {
  const params = Object.entries(step.params)
    .filter(([k]) => k !== 'Direction' && k !== 'ApiVersion' && k !== 'Timestamp')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`  POST ${step.request} [${params}] → ${step.status}${step.answer.length ? `: ${step.answer.join('; ')}` : ''}`);
}
if (call.links.call) {
  console.log(call.status === 'completed' ? `The call record: ${baseUrl}${call.links.call}` : `Still playing; follow it at ${baseUrl}${call.links.call}`);
}
