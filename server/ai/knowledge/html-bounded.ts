// HTML and Markdown to text with a time limit: the HTML parser (@xmldom/xmldom) is quadratic on
// hostile markup (40 KB of '<' took 19 s; a megabyte, hours), and the Markdown patterns, bounded,
// still take 8 s over 5 MB of unclosed links; in the server's own thread that would hold every
// request. So they run in a worker thread (html-worker.ts) that is stopped when the limit passes:
// the document then fails saying so.
import { Worker } from 'node:worker_threads';
import { HtmlProblem } from './html-text.js';

/** How long one HTML or Markdown document may take to read (a well-formed megabyte takes well under a second). */
export const DEFAULT_MARKUP_TIMEOUT_MS = 30_000;

type Reply = { ok: true; text: string } | { ok: false; problem: string };

/**
 * The worker: the built .js beside this file, or — run from source — the .ts through tsx's loader
 * (a worker does not inherit the loader `node --import tsx` registered).
 */
function startWorker(data: { kind: MarkupKind; text: string }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./html-worker.js', import.meta.url), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./html-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}

export type MarkupKind = 'html' | 'markdown';

/** The readable text of the HTML or Markdown, or an HtmlProblem (unreadable, or not read within `timeoutMs`). */
export function markupToTextBounded(kind: MarkupKind, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ kind, text });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(() => reject(new HtmlProblem(`the ${kind === 'html' ? 'HTML' : 'Markdown'} took more than ${Math.round(timeoutMs / 1000)} s to read (its markup is malformed past what a reader can follow)`))), timeoutMs);
    worker.once('message', (reply: Reply) => settle(() => (reply.ok ? resolve(reply.text) : reject(new HtmlProblem(reply.problem)))));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the HTML reader stopped (exit code ${code})`))));
  });
}
