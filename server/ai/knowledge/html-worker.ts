// Runs htmlToText or markdownToText off the main thread (html-bounded.ts starts it): the HTML
// parser is quadratic on hostile markup and the Markdown patterns, though bounded, take seconds
// over megabytes of it, so their work is done where it can be stopped.
import { parentPort, workerData } from 'node:worker_threads';
import { HtmlProblem, htmlToText } from './html-text.js';
import { markdownToText } from './markdown-text.js';

const { kind, text } = workerData as { kind: 'html' | 'markdown'; text: string };
try {
  parentPort?.postMessage({ ok: true, text: kind === 'html' ? htmlToText(text) : markdownToText(text) });
} catch (err) {
  parentPort?.postMessage({ ok: false, problem: err instanceof HtmlProblem ? err.message : `the ${kind === 'html' ? 'HTML' : 'Markdown'} cannot be read (${err instanceof Error ? err.message.slice(0, 100) : 'parse error'})` });
}
