// The import rules of server/ (npm run lint:deps; CI fails on a violation). Each group's README
// (server/<group>/README.md) says what the group owns and what it may import; these rules are
// the enforced part. Type-only imports count (tsPreCompilationDeps).
const group = (name) => `^server/${name}/`;
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: split the shared part into a module both sides import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-stands-alone',
      severity: 'error',
      comment: 'platform/ (HTTP plumbing, config, errors, database helpers) serves every group and imports none.',
      from: { path: group('platform') },
      to: { path: '^server/', pathNot: [group('platform'), '^server/handler-types\\.ts$'] },
    },
    {
      name: 'accounts-on-platform-only',
      severity: 'error',
      comment: 'accounts/ (organisations, users, keys, sessions) is below every business group.',
      from: { path: group('accounts') },
      to: { path: '^server/', pathNot: [group('accounts'), group('platform'), '^server/handler-types\\.ts$'] },
    },
    {
      name: 'telephony-stands-alone',
      severity: 'error',
      comment: 'telephony/ is the carrier interface (Twilio and the simulator); it knows nothing of campaigns or calls.',
      from: { path: group('telephony') },
      to: { path: '^server/', pathNot: [group('telephony'), group('platform')] },
    },
    {
      name: 'rtb-engine-is-pure',
      severity: 'error',
      comment: 'rtb/engine/ is the auction itself: pure logic and the bid transport, no database, no HTTP routes.',
      from: { path: '^server/rtb/engine/' },
      to: { path: '^(server/|db/)', pathNot: ['^server/rtb/engine/', '^server/platform/http/outbound/', '^server/platform/common/phone\\.ts$', '^db/types\\.ts$'] },
    },
    {
      name: 'routing-and-flows-are-pure',
      severity: 'error',
      comment: 'Routing plans and call-flow rendering are pure functions over plain data.',
      from: { path: '^server/inbound/(routing|flows)/' },
      to: { path: '^(server/|db/)', pathNot: ['^server/inbound/(routing|flows)/', '^server/telephony/twiml\\.ts$', '^server/platform/common/(zoned-time|time-zone|dates|phone|weekly-hours)\\.ts$', '^db/types\\.ts$'] },
    },
    {
      name: 'rtb-and-attribution-apart',
      severity: 'error',
      comment: 'rtb/ and attribution/ are siblings; the voice webhook (inbound/webhooks) composes them.',
      from: { path: '^server/(rtb|attribution)/' },
      to: { path: '^server/(rtb|attribution)/' , pathNot: '^server/$1/' },
    },
    {
      name: 'crm-on-platform-accounts-and-campaigns',
      severity: 'error',
      comment: 'crm/ (leads, do-not-call, imports, audio, call logs, follow-ups) stands on platform/ and accounts/, and asks inbound/ only whether a campaign is the caller\'s.',
      from: { path: group('crm') },
      to: { path: '^server/', pathNot: [group('crm'), group('platform'), group('accounts'), '^server/inbound/campaigns/(own-campaign|queries)\\.ts$', '^server/handler-types\\.ts$'] },
    },
    {
      name: 'dialer-on-platform-accounts-crm-and-campaigns',
      severity: 'error',
      comment: 'dialer/ (agents, presence, outbound campaigns, the dial loop, its webhooks) stands on platform/, accounts/ and crm/, takes from inbound/ only campaigns, and places calls through the telephony port (its types and pure TwiML: the adapter is injected).',
      from: { path: group('dialer') },
      to: { path: '^server/', pathNot: [group('dialer'), group('platform'), group('accounts'), group('crm'), '^server/inbound/campaigns/', '^server/telephony/(types|twiml)\\.ts$', '^server/handler-types\\.ts$'] },
    },
    {
      name: 'integrations-on-platform-and-accounts',
      severity: 'error',
      comment: 'integrations/ (event webhook endpoints, their delivery log and queue policy) stands on platform/ (events are raised and sent there) and accounts/.',
      from: { path: group('integrations') },
      to: { path: '^server/', pathNot: [group('integrations'), group('platform'), group('accounts'), '^server/handler-types\\.ts$'] },
    },
    {
      name: 'handlers-only-from-the-root',
      severity: 'error',
      comment: 'Route handlers are wired in server/handlers.ts; a module calls another module’s functions, never its handlers.',
      from: { path: '^server/', pathNot: '^server/[^/]+\\.ts$' },
      to: { path: '/handlers\\.ts$' },
    },
    {
      name: 'groups-not-into-the-root',
      severity: 'error',
      comment: 'server/*.ts (main, app, routes, handlers) wire the groups; no group imports them.',
      from: { path: '^server/[^/]+/' },
      to: { path: '^server/(main|app|routes|handlers|banner)\\.ts$' },
    },
    {
      name: 'db-below-server',
      severity: 'error',
      comment: 'db/ (connection, migrations, table types) is imported by the server, never the reverse.',
      from: { path: '^db/' },
      to: { path: '^server/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.d.ts'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
