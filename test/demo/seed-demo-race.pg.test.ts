// Two instances started together on an empty PostgreSQL database both seed the demo organisation.
// Before, both saw no organisation and both inserted one: the second insert of the demo login
// broke the unique e-mail index and that instance's start failed. The seed is serialised now: one
// instance creates the demo, the other finds it and goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../server/demo/seed-demo.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('the demo seed on a shared database', () => {
  it('two starts at once: one creates the demo organisation, the other neither fails nor makes a second', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => seedDemo(t.db, 'race-admin@example.com', 'race-password-1')));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const created = results.flatMap((r) => (r.status === 'fulfilled' && r.value.created ? [r.value] : []));
    expect(created).toHaveLength(1);
    const orgs = await t.db.selectFrom('organizations').select('id').execute();
    expect(orgs).toHaveLength(1);
  });
});
