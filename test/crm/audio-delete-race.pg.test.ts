// An audio file is named by a campaign's voicemail drop and by an active flow's Play nodes, which
// are JSON (no foreign key). Its deletion checks those uses and a campaign or flow write checks the
// audio exists, so each must see the other's committed write: both lock the audio row. Before, a
// deletion and a write that overlapped both succeeded, leaving a drop or a Play node naming
// nothing. Deterministic on a PostgreSQL server: one side is held uncommitted while the other runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createCampaign, registerOrg, type Member } from '../helpers/fixtures.js';
import { heldOpen } from '../helpers/held-open.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { makeMp3 } from './audio-fixtures.js';
import { upload } from './audio-helpers.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Audio Race');
});
afterAll(async () => t.close());

async function newAudio(): Promise<string> {
  const created = await upload(owner.client, { data: makeMp3(3) });
  expect(created.response.status).toBe(201);
  return created.data!.id;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));
const audioExists = async (id: string) => (await t.db.selectFrom('audio_files').select('id').where('id', '=', id).execute()).length === 1;

describe('deleting an audio file against a concurrent use of it', () => {
  it("a campaign taking it as its voicemail drop while the deletion runs: the deletion gets 409, the file stays", async () => {
    const audioId = await newAudio();
    const campaign = await createCampaign(owner.client, { name: 'Dropper', direction: 'outbound', status: 'paused' } as never);
    // The campaign write as the API does it: the audio checked (its row locked), then the campaign changed.
    const taking = await heldOpen(t.rawDb, async (trx) => {
      await sql`SELECT id FROM audio_files WHERE id = ${audioId} FOR KEY SHARE`.execute(trx);
      await trx.updateTable('campaigns').set({ voicemail_drop: JSON.stringify({ audioId }) }).where('id', '=', campaign.id).execute();
    });
    const request = owner.client.DELETE('/api/audio/{id}', { params: { path: { id: audioId } } });
    await settle();
    await taking.commit();
    const answer = await request;
    expect(answer.response.status).toBe(409);
    expect(answer.error).toMatchObject({ code: 'CONFLICT', details: { audio: expect.stringContaining(campaign.id) } });
    expect(await audioExists(audioId)).toBe(true);
  });

  it('a voicemail drop set while the file is being deleted: 400 naming voicemailDrop.audioId, the campaign unchanged', async () => {
    const audioId = await newAudio();
    const campaign = await createCampaign(owner.client, { name: 'Late dropper', direction: 'outbound', status: 'paused' } as never);
    const deleting = await heldOpen(t.rawDb, async (trx) => {
      await trx.deleteFrom('audio_files').where('id', '=', audioId).execute();
    });
    const request = owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { voicemailDrop: { audioId } } });
    await settle();
    await deleting.commit();
    const answer = await request;
    expect(answer.response.status).toBe(400);
    expect(answer.error).toMatchObject({ details: { 'voicemailDrop.audioId': expect.any(String) } });
    const stored = await t.db.selectFrom('campaigns').select('voicemail_drop').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(stored.voicemail_drop).toBeNull();
  });

  it('an active flow playing the file created while it is being deleted: 400 naming the node, no flow', async () => {
    const audioId = await newAudio();
    const deleting = await heldOpen(t.rawDb, async (trx) => {
      await trx.deleteFrom('audio_files').where('id', '=', audioId).execute();
    });
    const request = owner.client.POST('/api/call-flows', {
      body: { name: 'Player', status: 'active', flowDefinition: { startNodeId: 'p', nodes: [{ id: 'p', type: 'Play', config: { audioId } }] } as never },
    });
    await settle();
    await deleting.commit();
    const answer = await request;
    expect(answer.response.status).toBe(400);
    expect(answer.error).toMatchObject({ details: { 'flowDefinition.nodes[0].config.audioId': expect.any(String) } });
    const flows = await t.db.selectFrom('call_flows').select('id').where('org_id', '=', owner.orgId).where('name', '=', 'Player').execute();
    expect(flows).toEqual([]);
  });
});
