// The inbound-RTB rtbId is a capability (whoever holds it can ask for bids): it used to appear in
// every request-log line's URL. Request URLs in the logs now have secret path segments and
// secret query values (tokens, secrets, passwords, API keys, signatures) redacted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, redactUrl } from '../../../server/platform/http/log-redaction.js';
import { createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const logLines: string[] = [];
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ logLines });
});
afterAll(async () => {
  await t?.close();
});

describe('redactUrl', () => {
  it.each([
    ['/api/rtb/bid/rtb_abc123', `/api/rtb/bid/${REDACTED}`],
    ['/api/rtb/bid/rtb_abc123?callerId=%2B13105551234', `/api/rtb/bid/${REDACTED}?callerId=%2B13105551234`],
    ['/API/RTB/BID/rtb_abc123/extra', `/API/RTB/BID/${REDACTED}/extra`],
    ['/api/tracking/redtrack/conversion?tagCode=t1&secret=s3cr3t&payout=5', `/api/tracking/redtrack/conversion?tagCode=t1&secret=${REDACTED}&payout=5`],
    ['/x?token=a&access_token=b&api_key=c&apiKey=d&password=e&signature=f&sig=g&key=h&rtbId=i', `/x?token=${REDACTED}&access_token=${REDACTED}&api_key=${REDACTED}&apiKey=${REDACTED}&password=${REDACTED}&signature=${REDACTED}&sig=${REDACTED}&key=${REDACTED}&rtbId=${REDACTED}`],
    ['/x?Auth%5FToken=a', `/x?Auth%5FToken=${REDACTED}`],
    ['/api/campaigns?status=active&limit=5', '/api/campaigns?status=active&limit=5'],
    ['/api/rtb/bid/', '/api/rtb/bid/'],
    // The same path spelt otherwise (the router decodes it and answers the bid request).
    ['/api/rtb/%62id/rtb_abc123?callerId=1', `/api/rtb/bid/${REDACTED}?callerId=1`],
    ['/api/%72tb/bid/rtb_abc123', `/api/rtb/bid/${REDACTED}`],
    ['//api//rtb/bid/rtb_abc123', `/api/rtb/bid/${REDACTED}`],
    ['/api/rtb/bid%2Frtb_abc123', `/api/rtb/bid/${REDACTED}`],
    ['/api/rtb/bid%2frtb_abc123%zz', `/api/rtb/bid/${REDACTED}`],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

it('request logs never show the rtbId of an inbound bid request, nor secret query values', async () => {
  const owner = await registerOrg(t, 'Log Org');
  const campaign = await createCampaign(owner.client, { enableRtb: true });
  const rtbId = campaign.rtbId;
  await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId } }, body: { callerId: '+13105550777' } });
  await t.client().GET('/api/rtb/bid/{rtbId}', { params: { path: { rtbId }, query: { callerId: '3105550778' } } });
  const secretQuery = 'querysecret-9f8e7d6c5b4a';
  await fetch(`${t.url}/api/tracking/redtrack/conversion?tagCode=none&token=${secretQuery}&secret=${secretQuery}`, { method: 'POST' });

  // Percent-encoded spellings of the path reach the same operation.
  const encoded = await fetch(`${t.url}/api/rtb/%62id/${rtbId}?callerId=3105550779`);
  expect(encoded.status).toBe(200);

  const logs = logLines.join('\n');
  const bidLines = logLines.filter((line) => line.includes('/api/rtb/bid/'));
  expect(bidLines.length).toBeGreaterThanOrEqual(2);
  expect(bidLines.every((line) => line.includes(`/api/rtb/bid/${REDACTED}`))).toBe(true);
  expect(logs).not.toContain(rtbId);
  expect(logs).toContain('/api/tracking/redtrack/conversion?tagCode=none');
  expect(logs).not.toContain(secretQuery);
});
