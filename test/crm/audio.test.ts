// /api/audio end to end: upload checked by content (a renamed .exe is refused), the size cap (413,
// nothing stored), list / get / delete, streaming with Range (206, 416, ignored ranges), tenancy,
// roles, the signed URL Twilio fetches, and audio in a flow's Play node and a campaign's fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioUrlSigner, deriveAudioUrlKey } from '../../server/crm/audio/signed-url.js';
import { type Member, addMember, createCampaign, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, TEST_SECRETS_KEY, type TestApp } from '../helpers/test-app.js';
import { callSid, trackingNumber, voice } from '../inbound/webhooks/helpers.js';
import { makeExe, makeMp3, makeWav } from './audio-fixtures.js';
import { upload } from './audio-helpers.js';

const CAP = 400 * 1024;
let t: TestApp;
let owner: Member;
let agent: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp({ env: { AUDIO_MAX_BYTES: String(CAP) } });
  owner = await registerOrg(t, 'Audio Org');
  agent = await addMember(t, owner, 'agent');
  other = await registerOrg(t, 'Other Org');
});
afterAll(async () => t.close());

const signer = () => createAudioUrlSigner(deriveAudioUrlKey(Buffer.from(TEST_SECRETS_KEY, 'hex')), t.config.publicBaseUrl);

async function audioRows(orgId: string): Promise<number> {
  const row = await t.db.selectFrom('audio_files').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

interface Streamed {
  status: number;
  headers: Headers;
  bytes: Buffer;
  error: unknown;
}

async function stream(client: Member['client'], id: string, headers: Record<string, string> = {}): Promise<Streamed> {
  const { response, data, error } = await client.GET('/api/audio/{id}/stream', { params: { path: { id } }, headers, parseAs: 'arrayBuffer' });
  return { status: response.status, headers: response.headers, bytes: Buffer.from((data as ArrayBuffer | undefined) ?? new ArrayBuffer(0)), error };
}

describe('upload', () => {
  it('stores an MP3 (with an ID3 tag) and a WAV, told apart by content, with their metadata', async () => {
    const mp3 = makeMp3(60, { id3: true });
    const created = await upload(owner.client, { data: mp3, filename: 'C:\\greetings\\hello.mp3', type: 'audio/mpeg', name: 'Professional Greeting', category: 'greetings', description: 'Standard greeting' });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ name: 'Professional Greeting', category: 'greetings', description: 'Standard greeting', fileName: 'hello.mp3', format: 'mp3', contentType: 'audio/mpeg', sizeBytes: mp3.length, createdBy: owner.id });
    expect(created.data!.durationSeconds).toBeGreaterThan(1.5);
    expect(created.data!.streamUrl).toBe(`${t.config.publicBaseUrl}/api/audio/${created.data!.id}/stream`);

    // A WAV sent as "audio/mpeg" named .mp3 is still a WAV: the bytes decide.
    const wav = await upload(owner.client, { data: makeWav(1), filename: 'hold.mp3', type: 'audio/mpeg', name: 'Hold', category: 'hold' });
    expect(wav.response.status).toBe(201);
    expect(wav.data).toMatchObject({ format: 'wav', contentType: 'audio/wav', durationSeconds: 1 });

    const got = await owner.client.GET('/api/audio/{id}', { params: { path: { id: created.data!.id } } });
    expect(got.data).toEqual(created.data);
  });

  it('refuses a renamed .exe (named .mp3, sent as audio/mpeg) with 400 naming audio, storing nothing', async () => {
    const before = await audioRows(owner.orgId);
    const refused = await upload(owner.client, { data: makeExe(), filename: 'greeting.mp3', type: 'audio/mpeg' });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { audio: expect.stringMatching(/MP3 or WAV/) } });
    expect(await audioRows(owner.orgId)).toBe(before);
  });

  it('refuses a file over AUDIO_MAX_BYTES with 413, storing nothing', async () => {
    const before = await audioRows(owner.orgId);
    const big = makeWav(30, 8000); // 480 KB > 400 KiB
    expect(big.length).toBeGreaterThan(CAP);
    const refused = await upload(owner.client, { data: big, filename: 'long.wav' });
    expect(refused.response.status).toBe(413);
    expect(refused.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { audio: `must be at most ${CAP} bytes` } });
    expect(await audioRows(owner.orgId)).toBe(before);
    // Exactly the cap is accepted.
    const wav = makeWav(1, 8000);
    const exact = Buffer.concat([wav, Buffer.alloc(CAP - wav.length)]);
    exact.writeUInt32LE(exact.length - 8, 4);
    exact.writeUInt32LE(exact.length - 44, 40);
    expect((await upload(owner.client, { data: exact, filename: 'exact.wav' })).response.status).toBe(201);
  });

  it('answers 400 for a missing file, a text field in its place, an unknown field, a field twice, a missing name, and JSON', async () => {
    const before = await audioRows(owner.orgId);
    const noFile = new FormData();
    noFile.append('name', 'x');
    const textAudio = new FormData();
    textAudio.append('name', 'x');
    textAudio.append('audio', 'not a file');
    const twice = new FormData();
    twice.append('name', 'x');
    twice.append('name', 'y');
    twice.append('audio', new Blob([makeMp3(5)]), 'a.mp3');
    const cases: Array<[FormData, string]> = [
      [noFile, 'audio'],
      [textAudio, 'audio'],
      [twice, 'name'],
    ];
    for (const [form, field] of cases) {
      const { response, error } = await owner.client.POST('/api/audio', { body: {} as never, bodySerializer: () => form });
      expect(response.status, field).toBe(400);
      expect((error as { details: Record<string, string> }).details).toHaveProperty(field);
    }
    const unknown = await upload(owner.client, { data: makeMp3(5), extra: { orgId: 'x' } });
    expect(unknown.response.status).toBe(400);
    expect(unknown.error).toMatchObject({ details: { orgId: 'is not allowed' } });
    const noName = await owner.client.POST('/api/audio', {
      body: {} as never,
      bodySerializer: () => {
        const form = new FormData();
        form.append('audio', new Blob([makeMp3(5)]), 'a.mp3');
        return form;
      },
    });
    expect(noName.response.status).toBe(400);
    expect(noName.error).toMatchObject({ details: { name: 'is required' } });
    const json = await owner.client.POST('/api/audio', {
      body: { name: 'x', audio: 'AAAA' } as never,
      bodySerializer: (body: unknown) => JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(json.response.status).toBe(400);
    expect(await audioRows(owner.orgId)).toBe(before);
  });

  it('answers 413 for more than one file or more than 10 fields, storing nothing', async () => {
    const before = await audioRows(owner.orgId);
    const manyFields = await upload(owner.client, { data: makeMp3(5), extra: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, 'x'])) });
    expect(manyFields.response.status).toBe(413);
    expect(manyFields.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { body: expect.any(String) } });
    const twoFiles = new FormData();
    twoFiles.append('name', 'x');
    twoFiles.append('audio', new Blob([makeMp3(5)]), 'a.mp3');
    twoFiles.append('other', new Blob([makeMp3(5)]), 'b.mp3');
    const refused = await owner.client.POST('/api/audio', { body: {} as never, bodySerializer: () => twoFiles });
    expect(refused.response.status).toBe(413);
    expect(await audioRows(owner.orgId)).toBe(before);
  });

  it('is for managers and above: an agent gets 403 (and may still list, get and stream)', async () => {
    const refused = await upload(agent.client, { data: makeMp3(5) });
    expect(refused.response.status).toBe(403);
    const list = await agent.client.GET('/api/audio');
    expect(list.response.status).toBe(200);
    expect(list.data!.audio.length).toBeGreaterThan(0);
  });
});

describe('a file near the default cap (10 MiB)', () => {
  it('is stored and streamed back whole in a few seconds (its bytes are never walked one by one)', async () => {
    const big = await startTestApp();
    try {
      expect(big.config.audioMaxBytes).toBe(10 * 1024 * 1024);
      const org = await registerOrg(big, 'Big Audio Org');
      const wav = makeWav(600, 8000); // 9.6 MB
      const started = Date.now();
      const created = await upload(org.client, { data: wav, filename: 'ten-minutes.wav' });
      expect(created.response.status).toBe(201);
      expect(created.data).toMatchObject({ sizeBytes: wav.length, durationSeconds: 600 });
      const streamed = await stream(org.client, created.data!.id);
      expect(streamed.bytes.equals(wav)).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await big.close();
    }
  });
});

describe('list', () => {
  it('pages newest first and filters by category', async () => {
    const org = await registerOrg(t, 'List Org');
    for (const category of ['a', 'b', 'a']) expect((await upload(org.client, { data: makeMp3(3), category, name: `n-${category}` })).response.status).toBe(201);
    const page1 = await org.client.GET('/api/audio', { params: { query: { limit: 2 } } });
    expect(page1.data!.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    expect(page1.data!.audio).toHaveLength(2);
    const page2 = await org.client.GET('/api/audio', { params: { query: { limit: 2, page: 2 } } });
    expect(page2.data!.audio).toHaveLength(1);
    const onlyA = await org.client.GET('/api/audio', { params: { query: { category: 'a' } } });
    expect(onlyA.data!.audio.map((a) => a.category)).toEqual(['a', 'a']);
    // Another organisation sees none of them.
    const theirs = await other.client.GET('/api/audio');
    expect(theirs.data!.audio.some((a) => a.name.startsWith('n-'))).toBe(false);
  });
});

describe('stream with Range', () => {
  // Larger than one 256 KiB slice of the streamed answer.
  const wav = makeWav(20, 8000); // 320,044 bytes
  let id: string;
  beforeAll(async () => {
    const created = await upload(owner.client, { data: wav, filename: 'long.wav', name: 'Long' });
    expect(created.response.status).toBe(201);
    id = created.data!.id;
  });

  it('sends the whole file with Accept-Ranges, Content-Length, ETag and its content type', async () => {
    const response = await stream(agent.client, id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe(String(wav.length));
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.bytes.equals(wav)).toBe(true);
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-', 100, 320_043],
    ['bytes=-500', 319_544, 320_043],
    ['bytes=262000-263000', 262_000, 263_000], // across a slice boundary
    ['bytes=320000-999999', 320_000, 320_043], // an end past the file is cut to it
  ])('%s → 206 with Content-Range and exactly those bytes', async (range, start, end) => {
    const response = await stream(owner.client, id, { range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${wav.length}`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect(response.bytes.equals(wav.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=320044-', 'bytes=999999-1000000', 'bytes=-0'])('%s → 416 with Content-Range bytes */size', async (range) => {
    const response = await stream(owner.client, id, { range });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${wav.length}`);
    expect(response.error).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE', details: { size: wav.length } });
  });

  it.each(['bytes=0-9,20-29', 'bytes=9-0', 'pages=1-2', 'bytes=x'])('%s (several ranges, or not a byte range) → the whole file, 200', async (range) => {
    const response = await stream(owner.client, id, { range });
    expect(response.status).toBe(200);
    expect(response.bytes.length).toBe(wav.length);
  });

  it('honours If-Range only with the current ETag', async () => {
    const etag = (await stream(owner.client, id)).headers.get('etag')!;
    expect((await stream(owner.client, id, { range: 'bytes=0-9', 'if-range': etag })).status).toBe(206);
    expect((await stream(owner.client, id, { range: 'bytes=0-9', 'if-range': '"stale"' })).status).toBe(200);
  });
});

describe('tenancy', () => {
  it("answers 404 for another organisation's audio on every operation, and leaves it alone", async () => {
    const mine = await upload(owner.client, { data: makeMp3(5), name: 'Mine' });
    const id = mine.data!.id;
    expect((await other.client.GET('/api/audio/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await stream(other.client, id)).status).toBe(404);
    expect((await stream(other.client, id, { range: 'bytes=0-1' })).status).toBe(404);
    expect((await other.client.DELETE('/api/audio/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await owner.client.GET('/api/audio/{id}', { params: { path: { id } } })).response.status).toBe(200);
    for (const bad of ['not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      expect((await owner.client.GET('/api/audio/{id}', { params: { path: { id: bad } } })).response.status).toBe(404);
    }
  });
});

describe('the signed URL Twilio fetches', () => {
  let id: string;
  const mp3 = makeMp3(20);
  beforeAll(async () => {
    id = (await upload(owner.client, { data: mp3, name: 'For Twilio' })).data!.id;
  });

  it('serves the file without a login while the signature holds, with Range', async () => {
    const url = new URL(signer().playUrl(id));
    const path = `${url.pathname}${url.search}`;
    const whole = await fetch(`${t.url}${path}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/mpeg');
    expect(whole.headers.get('cache-control')).toMatch(/^max-age=\d+$/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(mp3)).toBe(true);
    const part = await fetch(`${t.url}${path}`, { headers: { range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(mp3.subarray(0, 4))).toBe(true);
  });

  it('refuses a wrong, borrowed or expired signature with 403', async () => {
    const url = new URL(signer().playUrl(id));
    const expires = url.searchParams.get('expires')!;
    const signature = url.searchParams.get('signature')!;
    const otherId = (await upload(owner.client, { data: makeMp3(3) })).data!.id;
    const attempts = [
      `/api/audio/${id}/play?expires=${expires}&signature=${signature.slice(1)}x`,
      `/api/audio/${otherId}/play?expires=${expires}&signature=${signature}`,
      `/api/audio/${id}/play?expires=${Number(expires) + 3600}&signature=${signature}`,
    ];
    const past = new URL(signer().playUrl(id, new Date(Date.now() - 3 * 3600_000)));
    attempts.push(`${past.pathname}${past.search}`);
    for (const path of attempts) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status, path).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await fetch(`${t.url}/api/audio/${id}/play`)).status).toBe(400);
  });

  it('is in the TwiML of a Play node and of a campaign fallback, and refuses deletion (409) while used', async () => {
    const greeting = (await upload(owner.client, { data: makeMp3(10), name: 'IVR greeting' })).data!;
    const campaign = await createCampaign(owner.client, { name: 'IVR audio', phoneNumber: trackingNumber(), enableRtb: false });
    const flow = await owner.client.POST('/api/call-flows', {
      body: {
        name: 'Greeting',
        status: 'active',
        campaignId: campaign.id,
        flowDefinition: { startNodeId: 'hello', nodes: [{ id: 'hello', type: 'Play', config: { audioId: greeting.id, next: 'bye' } }, { id: 'bye', type: 'Hangup', config: {} }] } as never,
      },
    });
    expect(flow.response.status).toBe(201);
    const answer = await voice(t, callSid(), campaign.phoneNumber!);
    expect(answer.status).toBe(200);
    const played = /<Play>([^<]+)<\/Play>/.exec(answer.text)?.[1]?.replace(/&amp;/g, '&');
    expect(played).toBe(signer().playUrl(greeting.id));
    const fetched = await fetch(`${t.url}${new URL(played!).pathname}${new URL(played!).search}`);
    expect(fetched.status).toBe(200);

    const inFlow = await owner.client.DELETE('/api/audio/{id}', { params: { path: { id: greeting.id } } });
    expect(inFlow.response.status).toBe(409);
    expect(inFlow.error).toMatchObject({ code: 'CONFLICT', details: { audio: expect.stringContaining(`active call flow ${flow.data!.id}`) } });

    // A campaign without buyers goes to its fallback, which plays the audio instead of a message.
    const fallback = (await upload(owner.client, { data: makeWav(1), name: 'Sorry' })).data!;
    const lonely = await createCampaign(owner.client, { name: 'Nobody home', phoneNumber: trackingNumber(), enableRtb: false, fallbackAction: 'hangup', fallbackAudioId: fallback.id });
    expect(lonely.fallbackAudioId).toBe(fallback.id);
    const fallbackAnswer = await voice(t, callSid(), lonely.phoneNumber!);
    expect(fallbackAnswer.text).toContain(`<Play>${signer().playUrl(fallback.id).replace(/&/g, '&amp;')}</Play>`);
    expect(fallbackAnswer.text).not.toContain('<Say>');
    const used = await owner.client.DELETE('/api/audio/{id}', { params: { path: { id: fallback.id } } });
    expect(used.response.status).toBe(409);
    expect(used.error).toMatchObject({ details: { audio: expect.stringContaining(`campaign ${lonely.id}`) } });

    // Unused again, it can go; its URL then answers 404.
    expect((await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: lonely.id } }, body: { fallbackAudioId: null } })).response.status).toBe(200);
    expect((await owner.client.DELETE('/api/audio/{id}', { params: { path: { id: fallback.id } } })).response.status).toBe(204);
    expect((await owner.client.GET('/api/audio/{id}', { params: { path: { id: fallback.id } } })).response.status).toBe(404);
    const gone = new URL(signer().playUrl(fallback.id));
    expect((await fetch(`${t.url}${gone.pathname}${gone.search}`)).status).toBe(404);
  });

  it('goes with its organisation, even while a campaign plays it', async () => {
    const org = await registerOrg(t, 'Short-lived Org');
    const sorry = (await upload(org.client, { data: makeMp3(3), name: 'Sorry' })).data!;
    await createCampaign(org.client, { name: 'Short-lived', fallbackAudioId: sorry.id });
    await t.db.deleteFrom('organizations').where('id', '=', org.orgId).execute();
    expect(await audioRows(org.orgId)).toBe(0);
  });

  it("refuses an unknown or another organisation's audio in a campaign or an active flow (400 naming it)", async () => {
    const theirs = (await upload(other.client, { data: makeMp3(3) })).data!;
    const bad = await owner.client.POST('/api/campaigns', { body: { name: 'Bad fallback', fallbackAudioId: theirs.id } });
    expect(bad.response.status).toBe(400);
    expect(bad.error).toMatchObject({ details: { fallbackAudioId: expect.any(String) } });
    const flow = await owner.client.POST('/api/call-flows', {
      body: { name: 'Bad', status: 'active', flowDefinition: { startNodeId: 'p', nodes: [{ id: 'p', type: 'Play', config: { audioId: theirs.id } }] } as never },
    });
    expect(flow.response.status).toBe(400);
    expect(flow.error).toMatchObject({ details: { 'flowDefinition.nodes[0].config.audioId': expect.any(String) } });
    // A draft may name it (it is checked when the flow is made active).
    const draft = await owner.client.POST('/api/call-flows', {
      body: { name: 'Draft', status: 'draft', flowDefinition: { startNodeId: 'p', nodes: [{ id: 'p', type: 'Play', config: { audioId: theirs.id } }] } as never },
    });
    expect(draft.response.status).toBe(201);
  });
});
