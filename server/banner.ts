// What `npm start` prints once it listens: only what is true of this start, and never a secret
// (no session key, no token; a password only when the demo seed created it in this start, which
// never happens in production).

export interface BannerFacts {
  /** Where this server listens, e.g. http://127.0.0.1:3000. */
  base: string;
  publicBaseUrl: string;
  database: string;
  telephony: 'twilio' | 'simulator';
  /** The demo login the seed created in this start (its password shown this once), else null. */
  demoCreated: { email: string; password: string } | null;
  /** DEMO_ADMIN_PASSWORD was set but the database had data already, so it changed nothing. */
  demoPasswordIgnored: boolean;
  /** The seeded demo campaign's number, while it exists. */
  demoCampaignNumber: string | null;
  /** Where the generated simulator webhook token is kept (development only), else null. */
  webhookTokenFile: string | null;
}

export function bannerText(facts: BannerFacts): string {
  const lines = [
    '',
    `CallCenter Pro is listening on ${facts.base} (database: ${facts.database}; telephony: ${facts.telephony})`,
    `  Public URL:    ${facts.publicBaseUrl} (what Twilio signs; PUBLIC_BASE_URL)`,
    `  Swagger UI:    ${facts.base}/docs`,
    `  OpenAPI spec:  ${facts.base}/docs/json`,
  ];
  if (facts.demoCreated) {
    lines.push(`  Demo login:    ${facts.demoCreated.email} / ${facts.demoCreated.password} (created now; shown only this once)`);
  }
  if (facts.demoPasswordIgnored) {
    lines.push('  DEMO_ADMIN_PASSWORD changed nothing: the database has data already (the demo login is made only on an empty one)');
  }
  if (facts.demoCampaignNumber) lines.push(`  Demo campaign: ${facts.demoCampaignNumber} (call this number through the simulator)`);
  if (facts.webhookTokenFile) {
    lines.push(`  Webhook token: in ${facts.webhookTokenFile} (simulator signing token; TWILIO_AUTH_TOKEN sets your own)`);
  }
  lines.push('');
  return lines.join('\n');
}
