// Semantic search's pure parts: the embeddings answer's checks, what a failure is called where
// users read it, pgvector's text form, and the hybrid ranking.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { checkedVectors, EmbeddingFailure, failureText } from '../../../server/ai/knowledge/embedder.js';
import { mergeHybrid } from '../../../server/ai/knowledge/hybrid-merge.js';
import type { KnowledgePassage } from '../../../server/ai/knowledge/search.js';
import { type NearPassage, vectorLiteral } from '../../../server/ai/knowledge/vector-store.js';
import { conceptVector } from './scripted-embeddings.js';

describe('the embeddings answer', () => {
  it('is put in input order, and refused when it does not fit the request', () => {
    expect(checkedVectors([{ index: 1, embedding: [3, 4] }, { index: 0, embedding: [1, 2] }], 2)).toEqual([[1, 2], [3, 4]]);
    const refused: Array<[ReadonlyArray<{ index: number; embedding: unknown }>, number, RegExp]> = [
      [[{ index: 0, embedding: [1] }], 2, /1 vectors for 2 texts/],
      [[{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }], 2, /index out of order/],
      [[{ index: 5, embedding: [1] }], 1, /index out of order/],
      [[{ index: 0, embedding: 'AAAA' }], 1, /not a list of numbers/],
      [[{ index: 0, embedding: [1, Number.NaN] }], 1, /not a list of numbers/],
      [[{ index: 0, embedding: [] }], 1, /not a list of numbers/],
      [[{ index: 0, embedding: [1, 2] }, { index: 1, embedding: [1] }], 2, /different lengths/],
    ];
    for (const [data, expected, message] of refused) {
      expect(() => checkedVectors(data, expected)).toThrow(EmbeddingFailure);
      expect(() => checkedVectors(data, expected)).toThrow(message);
    }
  });

  it("names a failure by its status or kind, never by the endpoint's words", () => {
    const apiError = OpenAI.APIError.generate(401, { error: { message: 'Incorrect API key provided: sk-secret' } }, 'Incorrect API key provided: sk-secret', new Headers());
    expect(failureText(apiError)).toBe('the embeddings endpoint answered HTTP 401');
    expect(failureText(new OpenAI.APIConnectionError({ message: 'connect ECONNREFUSED 10.0.0.1:443' }))).toBe('the embeddings endpoint could not be reached');
    expect(failureText(new OpenAI.APIConnectionTimeoutError())).toBe('the embeddings endpoint did not answer in time');
    expect(failureText(new Error('sk-secret'))).toBe('the embeddings endpoint failed');
  });
});

describe('pgvector text form', () => {
  it('writes a vector as pgvector reads it', () => {
    expect(vectorLiteral([0.5, -1, 2e-7])).toBe('[0.5,-1,2e-7]');
  });
});

const passage = (id: string, score: number): KnowledgePassage => ({ id, content: `passage ${id}`, score, documentId: 'd', documentTitle: 'Doc', position: Number(id), page: null });
const near = (id: string, similarity: number): NearPassage => ({ id, content: `passage ${id}`, document_id: 'd', title: 'Doc', position: Number(id), page: null, similarity });

describe('the hybrid ranking', () => {
  it('scores each passage by the mean of its two scores, found both ways ranking first', () => {
    const merged = mergeHybrid([passage('1', 0.5), passage('2', 0.2)], [near('2', 0.9), near('3', 0.7), near('4', -0.3)], 10);
    expect(merged.map((p) => [p.id, p.score, p.textScore, p.semanticScore])).toEqual([
      ['2', 0.55, 0.2, 0.9],
      ['3', 0.35, 0, 0.7],
      ['1', 0.25, 0.5, 0],
      ['4', 0, 0, 0],
    ]);
  });

  it('keeps the limit, breaks ties by row, and keeps every score within 0–1', () => {
    const merged = mergeHybrid([passage('10', 0.4), passage('9', 0.4)], [near('10', 1.2), near('9', 1)], 1);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ id: '9', score: 0.7, semanticScore: 1 });
    const tied = mergeHybrid([passage('10', 0.4), passage('9', 0.4)], [], 2);
    expect(tied.map((p) => p.id)).toEqual(['9', '10']);
  });
});

describe("the tests' scripted embeddings", () => {
  it('points words of one meaning the same way', () => {
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
    const query = conceptVector('Can I be reimbursed?');
    expect(cos(query, conceptVector('We give your money back within 30 days.'))).toBeGreaterThan(0.8);
    expect(cos(query, conceptVector('We are open from nine to five.'))).toBeLessThan(0.3);
  });
});
