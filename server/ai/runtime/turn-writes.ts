// A conversation's writes, in order and never in the answer's way: turns, barge-in cuts and usage
// are gathered as they happen and written together — whatever has gathered when the event loop
// next gets to it (setImmediate: after the I/O of the moment, such as the model request a prompt
// starts) goes in one call of recordTurnWrites, one round trip. A batch waits for the one before
// it, so a cut always follows the turn it cuts. A failed batch is reported to `onError` and the
// next one goes on. A turn that may wait (`turnSoon`: the caller's words, whose answer is about to
// be written too) goes with the next write, or alone after `maxWaitMs`: one round trip per turn
// instead of two.
import type { NewTurn, TurnWriteBatch, UsageDelta } from './queries.js';

export class TurnWrites {
  private turns: NewTurn[] = [];
  private cuts = new Map<number, string>();
  private usage: UsageDelta | null = null;
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private waiting: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (batch: TurnWriteBatch) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly maxWaitMs = 2000,
  ) {}

  turn(turn: NewTurn): void {
    this.turns.push(turn);
    this.schedule();
  }

  /** A turn written with the next write, or after `maxWaitMs` at the latest. */
  turnSoon(turn: NewTurn): void {
    this.turns.push(turn);
    if (this.scheduled || this.waiting) return;
    this.waiting = setTimeout(() => this.schedule(), this.maxWaitMs);
  }

  /** What was spoken of the turn `seq` before a barge-in. */
  cut(seq: number, spoken: string): void {
    this.cuts.set(seq, spoken);
    this.schedule();
  }

  addUsage(u: UsageDelta): void {
    if (u.promptTokens === 0 && u.completionTokens === 0 && u.sttSeconds === 0 && u.ttsCharacters === 0) return;
    const sum = this.usage ?? { promptTokens: 0, completionTokens: 0, sttSeconds: 0, ttsCharacters: 0 };
    this.usage = {
      promptTokens: sum.promptTokens + u.promptTokens,
      completionTokens: sum.completionTokens + u.completionTokens,
      sttSeconds: sum.sttSeconds + u.sttSeconds,
      ttsCharacters: sum.ttsCharacters + u.ttsCharacters,
    };
    this.schedule();
  }

  /** Resolves when everything gathered so far is written (or reported failed). */
  flush(): Promise<void> {
    if (this.waiting) this.schedule();
    return this.chain;
  }

  private schedule(): void {
    if (this.waiting) {
      clearTimeout(this.waiting);
      this.waiting = null;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    this.chain = this.chain
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.write(this.take()))
      .catch(this.onError);
  }

  private take(): TurnWriteBatch {
    const batch = { turns: this.turns, cuts: this.cuts, usage: this.usage };
    this.turns = [];
    this.cuts = new Map();
    this.usage = null;
    this.scheduled = false;
    return batch;
  }
}
