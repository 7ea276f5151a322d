// Lints asyncapi.yaml with the AsyncAPI parser (@asyncapi/parser: the specification's JSON Schema
// and its Spectral rules): exits 1 on any error, prints warnings.
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const SPEC = 'asyncapi.yaml';
const { document, diagnostics } = await new Parser().parse(readFileSync(SPEC, 'utf8'), { source: SPEC });
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) console.log(`${d.severity === 0 ? 'error' : 'warning'} ${d.code} ${d.path.join('.')}: ${d.message}`);
if (errors.length > 0 || !document) {
  console.error(`${SPEC}: ${errors.length} error(s)`);
  process.exit(1);
}
console.log(`${SPEC}: valid AsyncAPI ${document.version()} (${diagnostics.length} warning(s))`);
