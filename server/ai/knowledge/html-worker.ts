// Runs htmlToText off the main thread (html-bounded.ts starts it): the HTML parser is quadratic on
// hostile markup, so its work is done where it can be stopped.
import { parentPort, workerData } from 'node:worker_threads';
import { HtmlProblem, htmlToText } from './html-text.js';

try {
  parentPort?.postMessage({ ok: true, text: htmlToText(workerData as string) });
} catch (err) {
  parentPort?.postMessage({ ok: false, problem: err instanceof HtmlProblem ? err.message : `the HTML cannot be read (${err instanceof Error ? err.message.slice(0, 100) : 'parse error'})` });
}
