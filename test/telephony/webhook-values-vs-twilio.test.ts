// The values our Twilio webhooks accept and the simulator sends, checked against Twilio's own
// OpenAPI description (twilio_api_v2010.json, from the @twilio-alpha/mcp dev dependency). Twilio's
// description has no callback section, so what can be checked is checked through the resources
// the callbacks report on: a call's statuses and status-callback events, a conference's end
// reasons, the conference and AMD parameters of calls.create / <Conference>.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { conferenceTwiml } from '../../server/dialer/webhooks/twiml.js';
import { SimulatedConferences } from '../../server/simulator/conferences.js';
import { readTwiml } from '../../server/simulator/twiml-reader.js';
import { CALL_STATUS_EVENTS } from '../../server/telephony/types.js';
import { TWILIO_SPEC } from './helpers.js';

const twilioSpec = JSON.parse(fs.readFileSync(TWILIO_SPEC, 'utf8')) as { components: { schemas: Record<string, any> }; paths: Record<string, any> };
const ours = parse(fs.readFileSync('openapi.yaml', 'utf8')) as { components: { schemas: Record<string, any> } };
const twilioEnum = (name: string): string[] => twilioSpec.components.schemas[name].enum;

/** calls.create's form fields (POST /Accounts/{AccountSid}/Calls.json). */
const createCallFields = twilioSpec.paths['/2010-04-01/Accounts/{AccountSid}/Calls.json'].post.requestBody.content['application/x-www-form-urlencoded'].schema.properties as Record<string, any>;
/** "Can be: `a`, `b` and `c`" in a field's description. */
const documentedValues = (description: string): string[] => [...description.matchAll(/`([a-zA-Z-]+)`/g)].map((m) => m[1]!);

describe("our webhooks against Twilio's description", () => {
  it("CallStatus: every status a Twilio call has, plus the status callback's `initiated`", () => {
    const accepted = ours.components.schemas.CallStatus.enum as string[];
    expect([...accepted].sort()).toEqual([...twilioEnum('call_enum_status'), 'initiated'].sort());
  });

  it('the status-callback events the dialer asks for are the ones calls.create takes', () => {
    expect([...CALL_STATUS_EVENTS].sort()).toEqual([...twilioEnum('call_enum_event')].sort());
    expect(createCallFields.StatusCallbackEvent.type).toBe('array');
  });

  it('answering-machine detection: the modes we send are the documented ones, and async AMD is a field', () => {
    const modes = documentedValues(createCallFields.MachineDetection.description);
    expect(modes).toEqual(expect.arrayContaining(['Enable', 'DetectMessageEnd']));
    for (const field of ['AsyncAmd', 'AsyncAmdStatusCallback', 'AsyncAmdStatusCallbackMethod', 'MachineDetectionTimeout']) expect(createCallFields).toHaveProperty(field);
  });

  it("conference callbacks: the events our <Conference> asks for are Twilio's words, and the simulator's end reasons Twilio's", () => {
    const participantFields = twilioSpec.paths['/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json'].post.requestBody.content[
      'application/x-www-form-urlencoded'
    ].schema.properties as Record<string, any>;
    const words = documentedValues(participantFields.ConferenceStatusCallbackEvent.description);
    const [verb] = readTwiml(conferenceTwiml('cc-outbound-1', { endOnExit: true, statusUrl: 'https://example.com/conf' }));
    expect(verb).toMatchObject({ verb: 'Conference' });
    for (const event of (verb as { events: string[] }).events) expect(words).toContain(event);

    const room = new SimulatedConferences();
    const p = (sid: string, endOnExit: boolean) => ({ callSid: sid, endOnExit, startOnEnter: true, statusCallback: 'https://example.com/conf', events: ['start', 'end', 'join', 'leave'] });
    room.join('a', p('CA1', true));
    room.join('a', p('CA2', false));
    room.join('b', p('CA3', false));
    const reasons = [...room.leave('a', 'CA1').callbacks, ...room.leave('b', 'CA3').callbacks].flatMap((c) => (c.params.ReasonConferenceEnded ? [c.params.ReasonConferenceEnded] : []));
    expect(reasons).toEqual(['participant-with-end-conference-on-exit-left', 'last-participant-left']);
    for (const reason of reasons) expect(twilioEnum('conference_enum_reason_conference_ended')).toContain(reason);
    // The events the simulator names are our webhook's accepted StatusCallbackEvent values.
    const accepted = ours.components.schemas.ConferenceStatusWebhookForm.properties.StatusCallbackEvent.enum as string[];
    for (const event of ['conference-start', 'conference-end', 'participant-join', 'participant-leave']) expect(accepted).toContain(event);
  });
});
