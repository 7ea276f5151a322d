// The pieces that make the start fast and honest: the banner prints only what is true and no
// secret; the parsed-contract cache equals the YAML; lazy validators answer exactly as compiled
// ones (coercion of query values included); the embedded database template is copied only into a
// folder without a database.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { copyTemplateIfEmpty, hasDatabase, templateName } from '../../db/pglite-template.js';
import { bannerText, type BannerFacts } from '../../server/banner.js';
import { lazyValidator } from '../../server/platform/http/validation.js';
import { responseMediaTypes } from '../../server/routes.js';
import { loadSpec, SPEC_PATH } from '../../server/platform/spec.js';

const FACTS: BannerFacts = {
  base: 'http://127.0.0.1:3000',
  publicBaseUrl: 'http://127.0.0.1:3000',
  database: 'embedded PGlite in /srv/data',
  telephony: 'simulator',
  demoCreated: null,
  demoPasswordIgnored: false,
  demoCampaignNumber: null,
  webhookTokenFile: null,
};

describe('bannerText', () => {
  it('names Swagger UI and the spec URL, and the demo login only when it was created now', () => {
    const restart = bannerText({ ...FACTS, demoCampaignNumber: '+15005550006' });
    expect(restart).toContain('Swagger UI:    http://127.0.0.1:3000/docs\n');
    expect(restart).toContain('OpenAPI spec:  http://127.0.0.1:3000/docs/json\n');
    expect(restart).toContain('Demo campaign: +15005550006');
    expect(restart).not.toContain('Demo login');
    const first = bannerText({ ...FACTS, demoCreated: { email: 'admin@example.com', password: 'pw-shown-once' } });
    expect(first).toContain('Demo login:    admin@example.com / pw-shown-once (created now; shown only this once)');
  });

  it('says a DEMO_ADMIN_PASSWORD changed nothing instead of printing it, and names the token file, not the token', () => {
    const text = bannerText({ ...FACTS, demoPasswordIgnored: true, webhookTokenFile: '.data/twilio-webhook.token' });
    expect(text).toContain('DEMO_ADMIN_PASSWORD changed nothing');
    expect(text).toContain('Webhook token: in .data/twilio-webhook.token');
  });
});

describe('loadSpec', () => {
  it('returns the same document as parsing openapi.yaml, from the cache on the second call', () => {
    const fromYaml = parse(readFileSync(SPEC_PATH, 'utf8'));
    expect(loadSpec()).toEqual(fromYaml);
    expect(loadSpec()).toEqual(fromYaml);
  });

  it('finds the answer-only media types, shared responses included', () => {
    const types = responseMediaTypes(loadSpec());
    expect(types).toContain('text/xml');
    expect(types).toContain('application/json');
  });
});

describe('lazyValidator', () => {
  it('compiles on first use and then answers, errors and coerces as the compiled function', () => {
    const ajv = new Ajv2020.default({ coerceTypes: 'array', allErrors: true });
    const schema = { type: 'object', properties: { page: { type: 'integer', minimum: 1 } }, additionalProperties: false };
    let compiles = 0;
    const validate = lazyValidator(() => {
      compiles += 1;
      return ajv.compile(schema);
    });
    expect(compiles).toBe(0);
    const query: Record<string, unknown> = { page: '2' };
    expect(validate(query)).toBe(true);
    expect(query.page).toBe(2);
    expect(validate.errors).toBeNull();
    expect(validate({ page: '0' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/page', keyword: 'minimum' });
    expect(validate({ other: 1 })).toBe(false);
    expect(compiles).toBe(1);
    expect(validate.schemaEnv).toBeTruthy();
  });
});

describe('copyTemplateIfEmpty', () => {
  it('copies the template into a folder without a database, PG_VERSION last, and never over an existing one', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ccp-template-'));
    try {
      // A stand-in template (the real one is an initdb'd PGlite folder): copying is what is tested.
      const template = path.join(root, templateName());
      await mkdir(path.join(template, 'base'), { recursive: true });
      await writeFile(path.join(template, 'PG_VERSION'), '17\n');
      await writeFile(path.join(template, 'base', 'file'), 'template data');

      const fresh = path.join(root, 'fresh');
      expect(hasDatabase(fresh)).toBe(false);
      expect(await copyTemplateIfEmpty(fresh, template)).toBe(true);
      expect(await readFile(path.join(fresh, 'base', 'file'), 'utf8')).toBe('template data');
      expect(hasDatabase(fresh)).toBe(true);

      await writeFile(path.join(fresh, 'base', 'file'), 'live data');
      expect(await copyTemplateIfEmpty(fresh, template)).toBe(false);
      expect(await readFile(path.join(fresh, 'base', 'file'), 'utf8')).toBe('live data');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
