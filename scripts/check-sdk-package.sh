#!/usr/bin/env bash
# The SDK as a partner gets it: `npm pack` in client/, install the tarball into an empty project,
# and type-check a small program that uses it (no server needed). Also checks that the tarball
# holds JavaScript and declarations only, and that a call to an unknown path is a type error.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TSC="$ROOT/node_modules/.bin/tsc"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT/client"
TARBALL="$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"
echo "packed $TARBALL"

# JavaScript and declarations only, one copy of the schema types.
CONTENTS="$(tar tzf "$WORK/$TARBALL")"
echo "$CONTENTS"
if [ -n "$(grep -Ev '^package/(package\.json|README\.md|LICENSE|dist/[^/]+\.(js|d\.ts))$' <<<"$CONTENTS")" ]; then
  echo "unexpected files in the SDK tarball"; exit 1
fi
if [ -n "$(grep -E '\.ts$' <<<"$CONTENTS" | grep -Ev '\.d\.ts$')" ]; then echo "TypeScript sources in the tarball"; exit 1; fi
[ "$(echo "$CONTENTS" | grep -c 'schema\.d\.ts$')" = 1 ] || { echo "expected exactly one schema.d.ts"; exit 1; }

mkdir "$WORK/app"
cd "$WORK/app"
cat > package.json <<'JSON'
{ "name": "sdk-consumer", "private": true, "type": "module" }
JSON
npm install --silent --no-audit --no-fund "$WORK/$TARBALL"
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM", "DOM.Iterable"], "types": [], "strict": true, "noEmit": true
  },
  "files": ["use.ts"]
}
JSON
cat > use.ts <<'TS'
import { connectEvents, createClient, subscribe, type Schemas } from '@callcenter-pro/client';

const api = createClient({ baseUrl: 'http://localhost:3000', apiKey: 'ccp_live_example' });

export async function demo(): Promise<string[]> {
  const created = await api.POST('/api/campaigns', { body: { name: 'Solar leads' } });
  if (created.error) throw new Error(created.error.error);
  const campaign: Schemas['Campaign'] = created.data;
  const { data } = await api.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
  return data ? [data.name] : [];
}

// Live events: typed by asyncapi.yaml.
const socket = connectEvents('http://localhost:3000', { token: 'ccp_live_example', autoConnect: false });
export const stop = subscribe(socket, 'call_started', (event) => {
  const callId: number = event.callId;
  const direction: 'inbound' | 'outbound' = event.direction;
  return [callId, direction];
});
TS
"$TSC" -p tsconfig.json
echo "the packed SDK installs and type-checks"

# A call to an unknown path must not compile, and the error must name the path.
cat > unknown-path.ts <<'TS'
import { createClient } from '@callcenter-pro/client';

const api = createClient({ baseUrl: 'http://localhost:3000' });
export const answer = api.GET('/api/no-such-path', {});
TS
cat > tsconfig.unknown-path.json <<'JSON'
{ "extends": "./tsconfig.json", "files": ["unknown-path.ts"] }
JSON
if OUT="$("$TSC" -p tsconfig.unknown-path.json 2>&1)"; then echo "a call to an unknown path compiled"; exit 1; fi
grep -q "'\"/api/no-such-path\"' is not assignable to parameter of type 'PathsWithMethod<paths, \"get\">'" <<<"$OUT" \
  || { echo "unexpected error for an unknown path:"; echo "$OUT"; exit 1; }
echo "an unknown path is a type error: $OUT"
