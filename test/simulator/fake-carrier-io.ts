// A carrier io for the simulator's players without a server: every webhook request is recorded
// (path below `base`, parameters) and answered by `answerOf(path)`; time passes on a fake clock.
import type { CarrierIo } from '../../server/simulator/carrier.js';

export interface WebhookAnswer {
  status: number;
  body: string;
}

export function fakeCarrierIo(base: string, answerOf: (path: string) => WebhookAnswer) {
  const requests: Array<{ path: string; params: Record<string, string> }> = [];
  let clock = 0;
  const io: CarrierIo = {
    async post(url, params) {
      const path = url.slice(base.length);
      requests.push({ path, params });
      return answerOf(path);
    },
    async wait(seconds) {
      clock += seconds;
    },
    onStep: () => {},
  };
  return { io, requests, clock: () => clock };
}
