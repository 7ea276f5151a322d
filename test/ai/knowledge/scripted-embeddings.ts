// A scripted OpenAI-compatible embeddings server for the semantic-search tests: `POST
// /v1/embeddings` answers one vector per input, made from "concepts" — words of one meaning share
// a dimension (refund / money / reimbursed…), so a passage and a query that share no word but a
// meaning point the same way, as a real model's vectors would. Other words fall into hashed
// dimensions with a small weight. `failWith` makes every request answer that status; every
// request's inputs are kept.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const CONCEPTS: string[][] = [
  ['refund', 'refunds', 'refunded', 'money', 'reimburse', 'reimbursed', 'reimbursement', 'repaid', 'repay'],
  ['shipping', 'delivery', 'deliver', 'delivered', 'parcel', 'courier', 'dispatch', 'dispatched'],
  ['hours', 'open', 'opening', 'close', 'closed', 'closing', 'schedule'],
  ['warranty', 'guarantee', 'guaranteed', 'defect', 'defective', 'broken', 'faulty'],
];
export const DIMENSIONS = 16;
const CONCEPT_OF = new Map(CONCEPTS.flatMap((words, dim) => words.map((w) => [w, dim] as const)));

/** The vector of a text (pure): concept words weigh 1, other words 0.1 in a hashed dimension. */
export function conceptVector(text: string): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const concept = CONCEPT_OF.get(word);
    if (concept !== undefined) v[concept]! += 1;
    else {
      let h = 0;
      for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      v[CONCEPTS.length + (h % (DIMENSIONS - CONCEPTS.length))]! += 0.1;
    }
  }
  if (!v.some((x) => x !== 0)) v[DIMENSIONS - 1] = 1;
  return v;
}

export interface ScriptedEmbeddings {
  baseUrl: string;
  /** The inputs of every request, in order. */
  requests: string[][];
  /** Answer every request with this HTTP status (null: answer normally). */
  failWith: number | null;
  close(): Promise<void>;
}

export async function startScriptedEmbeddings(): Promise<ScriptedEmbeddings> {
  const state: Omit<ScriptedEmbeddings, 'baseUrl' | 'close'> = { requests: [], failWith: null };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { input: string | string[]; model: string };
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      state.requests.push(inputs);
      if (state.failWith !== null) {
        res.writeHead(state.failWith, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'scripted failure, key sk-secret-1234', type: 'server_error' } }));
        return;
      }
      const data = inputs.map((text, index) => ({ object: 'embedding', index, embedding: conceptVector(text) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
