// A tracking tag deleted while a visitor's DNI request is between reading the tag and recording
// the session (the session's tag_id is a foreign key): the request started while the tag existed,
// so the visitor still gets the number and the session is recorded, without the tag — never a 500
// on the public endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignForTarget, targetOfTag } from '../../../server/attribution/dni/service.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag, makePool } from './dni-fixtures.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Deleted Tag Org');
});
afterAll(async () => t.close());

describe('a tracking tag deleted while its DNI request is in flight', () => {
  it('still answers the visitor and records the session, without the tag', async () => {
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 1 });
    const tag = await insertTag(t.db, owner.orgId, { poolId: rule.poolId });
    const target = await targetOfTag(t.db, tag.tagCode);
    expect(target).not.toBeNull();
    // Deleted after the request read it.
    await t.db.deleteFrom('tracking_tags').where('id', '=', tag.id).execute();

    const { answer } = await assignForTarget(t.db, target!, { sessionId: 'deleted_tag_1', ip: '10.0.0.1', visitor: { utmSource: 'google' }, now: new Date() });
    expect(answer).toMatchObject({ phoneNumber: numbers[0]!.phoneNumber, source: 'pool', sessionId: 'deleted_tag_1' });
    const session = await t.db.selectFrom('visitor_sessions').select(['tag_id', 'utm_source']).where('org_id', '=', owner.orgId).where('session_id', '=', 'deleted_tag_1').executeTakeFirstOrThrow();
    expect(session).toEqual({ tag_id: null, utm_source: 'google' });

    // A session already recorded with another tag keeps it.
    const kept = await insertTag(t.db, owner.orgId, { poolId: rule.poolId });
    const keptTarget = await targetOfTag(t.db, kept.tagCode);
    await assignForTarget(t.db, keptTarget!, { sessionId: 'deleted_tag_2', ip: null, visitor: {}, now: new Date() });
    const gone = await insertTag(t.db, owner.orgId, { poolId: rule.poolId });
    const goneTarget = await targetOfTag(t.db, gone.tagCode);
    await t.db.deleteFrom('tracking_tags').where('id', '=', gone.id).execute();
    await assignForTarget(t.db, goneTarget!, { sessionId: 'deleted_tag_2', ip: null, visitor: {}, now: new Date() });
    const second = await t.db.selectFrom('visitor_sessions').select('tag_id').where('org_id', '=', owner.orgId).where('session_id', '=', 'deleted_tag_2').executeTakeFirstOrThrow();
    expect(second.tag_id).toBe(kept.id);
  });
});
