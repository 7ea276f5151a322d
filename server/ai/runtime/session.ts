// One conversation with an agent, over any channel (a ConversationRelay socket, or the text test
// endpoint): the caller's words in, the agent's words out through a sink as they are produced.
// With a model: streamed, each content delta passed on at once; tool calls executed and fed back
// until the model answers; an `interrupt` (barge-in) aborts the stream and keeps only what was
// spoken; no first token within AI_RESPONSE_TIMEOUT_MS → a spoken fallback line; a stream silent
// that long after it began, a failing or cut stream → a spoken apology, and the conversation goes
// on. Without a model: the local mode (a failure there → the apology too).
// Turns, cuts and usage are written in order, batched, never holding up the answer (turn-writes.ts).
import { performance } from 'node:perf_hooks';
import type { ChatCompletionAssistantMessageParam, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { cutsOf } from './barge-in.js';
import { answerLocally, LOCAL_MODE_LABEL } from './local-mode.js';
import type { ModelClient, ToolCallRequest } from './model-client.js';
import { type EndReason } from './outcome.js';
import { historyFromTurns, type StoredTurn, systemMessage } from './prompt.js';
import { type NewTurn, recordTurnWrites, type UsageDelta } from './queries.js';
import { finishConversation } from './summary.js';
export type { SessionContext, SessionInfo } from './session-types.js';
import { type ChannelAction, runTool } from './tool-runner.js';
import type { SessionContext, SessionInfo } from './session-types.js';
import { type BoundTool, bindTools, parseArguments } from './tools.js';
import { TurnWrites } from './turn-writes.js';
import { estimateSpeechSeconds, estimateTokens } from './usage.js';

export const FALLBACK_LINE = "Sorry, I'm taking too long to answer. Could you say that again?";
export const APOLOGY_LINE = 'Sorry, something went wrong on my side. Could you repeat that?';
/** Rounds of tool calls one turn may take before the agent gives up on it. */
export const MAX_TOOL_ROUNDS = 4;

/** Where the agent's words go as they are produced. */
export interface TurnSink {
  text(token: string, last: boolean): void;
  end(handoff: Record<string, unknown>): void;
  /** A tool's effect on the call (a recording played, keys pressed); a text channel has none. */
  act(action: ChannelAction): void;
}

export interface ToolCallRecord {
  name: string;
  arguments: Record<string, unknown>;
  result: string;
}

export interface TurnResult {
  reply: string;
  toolCalls: ToolCallRecord[];
  ended: boolean;
  handoff: Record<string, unknown> | null;
}

export interface CallerInput {
  text: string;
  /** speech: a `prompt` (counted as speech to text); dtmf: keys; text: the test endpoint. */
  kind: 'speech' | 'dtmf' | 'text';
  /** performance.now() when the input arrived: first-token times are measured from it. */
  receivedAt: number;
}

interface ActiveStream {
  controller: AbortController;
  /** What Twilio said was spoken when the caller barged in. */
  interruptedWith: string | null;
  /** What was sent so far. */
  sent: string;
}

/** An assistant turn that was said; `index` is its place in the history. */
interface SpokenPart {
  seq: number;
  index: number;
  content: string;
}

/** The answer in progress, across its rounds of tool calls. */
interface Answering {
  /** The assistant turns it has said so far (the text before each round of tool calls, then the last). */
  parts: SpokenPart[];
  /** A barge-in or a hang-up came: no further round. */
  stopped: boolean;
  /** A barge-in cut it. */
  cut: boolean;
}

const elapsed = (since: number) => Math.max(0, Math.round(performance.now() - since));

export class ConversationSession {
  private readonly history: ChatCompletionMessageParam[];
  private readonly tools: BoundTool[];
  private nextSeq: number;
  private readonly writes: TurnWrites;
  private active: ActiveStream | null = null;
  private answering: Answering | null = null;
  /** The parts of the answer (or greeting) last spoken whole: a late barge-in cuts them. */
  private lastSpoken: SpokenPart[] = [];
  private endedWith: { reason: EndReason; handoff: Record<string, unknown> } | null = null;
  private readonly userTurns: string[] = [];
  private readonly toolsUsed = new Set<string>();

  constructor(
    private readonly ctx: SessionContext,
    readonly info: SessionInfo,
    stored: readonly (StoredTurn & { seq: number })[] = [],
  ) {
    this.history = historyFromTurns(stored);
    this.nextSeq = stored.reduce((max, t) => Math.max(max, t.seq + 1), 0);
    for (const t of stored) {
      if (t.role === 'user') this.userTurns.push(t.content);
      if (t.role === 'tool' && t.tool_name) this.toolsUsed.add(t.tool_name);
    }
    this.tools = info.mode === 'model' ? bindTools(info.version.settings.tools ?? []) : [];
    this.writes = new TurnWrites(
      (batch) => recordTurnWrites(ctx.db, info.conversationId, batch),
      (err) => ctx.log.warn({ err, conversationId: info.conversationId }, 'ai conversation write failed'),
    );
  }

  get ended(): boolean {
    return this.endedWith !== null;
  }

  /** Record what the agent said without being asked (ConversationRelay's welcome greeting). */
  greet(text: string): void {
    const seq = this.nextSeq++;
    this.history.push({ role: 'assistant', content: text });
    // The caller may barge in on it (Twilio's welcome greeting is interruptible).
    this.lastSpoken = [{ seq, index: this.history.length - 1, content: text }];
    this.record({ seq, role: 'assistant', content: text, startedAt: new Date() });
    // On a call Twilio speaks it (text-to-speech, as every answer); a text conversation speaks nothing.
    if (this.info.channel === 'voice') this.writes.addUsage({ promptTokens: 0, completionTokens: 0, sttSeconds: 0, ttsCharacters: text.length });
  }

  /** One turn: the caller's words, the agent's answer (streamed to `sink`). */
  async respond(input: CallerInput, sink: TurnSink): Promise<TurnResult> {
    if (this.endedWith) return { reply: '', toolCalls: [], ended: true, handoff: this.endedWith.handoff };
    // The caller's words go with the answer's write (or alone within 2 s): one round trip a turn.
    this.writes.turnSoon({ seq: this.nextSeq++, role: 'user', content: input.text, startedAt: new Date() });
    this.history.push({ role: 'user', content: input.text });
    this.userTurns.push(input.text);
    const usage: UsageDelta = { promptTokens: 0, completionTokens: 0, sttSeconds: input.kind === 'speech' ? estimateSpeechSeconds(input.text) : 0, ttsCharacters: 0 };
    const spoken = this.info.channel === 'voice';
    const say = (token: string, last: boolean) => {
      if (spoken) usage.ttsCharacters += token.length;
      sink.text(token, last);
    };
    const answering: Answering = { parts: [], stopped: false, cut: false };
    this.answering = answering;
    this.lastSpoken = [];
    try {
      return this.ctx.model && this.info.mode === 'model' ? await this.modelTurn(this.ctx.model, answering, input, say, sink, usage) : await this.localTurn(answering, input, say);
    } finally {
      this.answering = null;
      this.lastSpoken = answering.cut ? [] : answering.parts;
      this.writes.addUsage(usage);
    }
  }

  /**
   * Barge-in: the stream in progress stops, and only what was spoken is kept. Between rounds of an
   * answer (its tools running), what it said so far is cut and it goes no further; after it, the
   * answer last spoken is cut. Only the answer the caller heard is ever cut.
   */
  interrupt(spoken: string): void {
    if (this.active) {
      this.active.interruptedWith = spoken;
      this.active.controller.abort();
      return;
    }
    if (this.answering) {
      this.answering.stopped = true;
      this.answering.cut = true;
      this.applyCuts(this.answering.parts, cutsOf(this.answering.parts.map((p) => p.content), spoken));
      return;
    }
    const last = this.lastSpoken;
    this.lastSpoken = [];
    this.applyCuts(last, cutsOf(last.map((p) => p.content), spoken));
  }

  /** The caller hung up: the stream in progress stops, what was sent kept as cut; no further round. */
  hangUp(): void {
    if (this.answering) this.answering.stopped = true;
    if (!this.active) return;
    this.active.interruptedWith = (this.answering?.parts.map((p) => p.content).join('') ?? '') + this.active.sent;
    this.active.controller.abort();
  }

  /** Every turn written. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  /** The conversation is over: summary and outcome stored (once), the outbound call updated. */
  async finish(reason: EndReason, signal?: AbortSignal): Promise<void> {
    this.active?.controller.abort();
    await this.flush();
    const end = this.endedWith ?? { reason, handoff: null };
    await finishConversation(this.ctx, this.info, { endReason: end.reason, handoff: end.handoff, userTurns: this.userTurns, toolsUsed: this.toolsUsed, channel: this.info.channel }, this.history, signal);
  }

  private async localTurn(answering: Answering, input: CallerInput, say: (token: string, last: boolean) => void): Promise<TurnResult> {
    const startedAt = new Date();
    const labelled = this.history.some((m) => m.role === 'assistant' && typeof m.content === 'string' && m.content.startsWith(LOCAL_MODE_LABEL));
    let answer: string;
    try {
      answer = await answerLocally(this.ctx.db, this.ctx.embedder, this.info.orgId, this.info.version.agentId, input.kind === 'dtmf' ? '' : input.text, !labelled);
    } catch (err) {
      // As for a failing model: the caller hears an apology, not silence, and may ask again.
      this.ctx.log.warn({ err, conversationId: this.info.conversationId }, 'ai local answer failed');
      answer = APOLOGY_LINE;
    }
    say(answer, true);
    this.spoke(answering, answer, { startedAt, firstTokenMs: elapsed(input.receivedAt), modelFirstTokenMs: null, interrupted: false });
    return { reply: answer, toolCalls: [], ended: false, handoff: null };
  }

  private async modelTurn(model: ModelClient, answering: Answering, input: CallerInput, say: (token: string, last: boolean) => void, sink: TurnSink, usage: UsageDelta): Promise<TurnResult> {
    const { settings } = this.info.version;
    const toolCalls: ToolCallRecord[] = [];
    let reply = '';
    for (let round = 0; round < MAX_TOOL_ROUNDS; round += 1) {
      const startedAt = new Date();
      const active: ActiveStream = { controller: new AbortController(), interruptedWith: null, sent: '' };
      this.active = active;
      // Re-armed on every event: no first token, and no next one, within AI_RESPONSE_TIMEOUT_MS.
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        active.controller.abort();
      }, this.ctx.config.aiResponseTimeoutMs);
      const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: this.systemText() }, ...this.history];
      let content = '';
      let calls: ToolCallRequest[] = [];
      let firstTokenMs: number | null = null;
      let modelFirstTokenMs: number | null = null;
      let reportedUsage = false;
      let failure: unknown = null;
      const requestStart = performance.now();
      try {
        const stream = model.stream(
          { model: settings.model, temperature: Number(settings.temperature), maxTokens: settings.maxTokens, messages, tools: this.tools.map((t) => t.definition) },
          active.controller.signal,
        );
        for await (const event of stream) {
          timer.refresh();
          if (event.type === 'text') {
            if (modelFirstTokenMs === null) modelFirstTokenMs = elapsed(requestStart);
            say(event.text, false);
            content += event.text;
            active.sent = content;
            if (firstTokenMs === null) firstTokenMs = elapsed(input.receivedAt);
          } else if (event.type === 'toolCalls') calls = event.calls;
          else if (event.type === 'usage') {
            reportedUsage = true;
            usage.promptTokens += event.promptTokens;
            usage.completionTokens += event.completionTokens;
          }
        }
      } catch (err) {
        failure = err;
      } finally {
        clearTimeout(timer);
        this.active = null;
      }
      if (!reportedUsage) {
        usage.promptTokens += estimateTokens(messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join(' '));
        usage.completionTokens += estimateTokens(content + calls.map((c) => c.name + c.arguments).join(''));
      }
      const timing = { startedAt, firstTokenMs, modelFirstTokenMs };

      if (active.interruptedWith !== null) {
        // What was heard of the whole answer: earlier rounds' text is cut where it stopped, and
        // this round keeps what was heard of it (nothing more when it was not reached).
        const cuts = cutsOf([...answering.parts.map((p) => p.content), active.sent], active.interruptedWith);
        const own = cuts.find((c) => c.index === answering.parts.length)?.heard ?? '';
        this.applyCuts(answering.parts, cuts);
        answering.cut = true;
        if (own !== '' || answering.parts.length === 0) this.spoke(answering, own, { ...timing, interrupted: true });
        return { reply: answering.parts.map((p) => p.content).join(''), toolCalls, ended: false, handoff: null };
      }
      if (failure !== null || timedOut) {
        const line = content === '' && timedOut ? FALLBACK_LINE : APOLOGY_LINE;
        if (!timedOut) this.ctx.log.warn({ err: failure, conversationId: this.info.conversationId }, 'ai model stream failed');
        else if (content !== '') this.ctx.log.warn({ conversationId: this.info.conversationId }, 'ai model stream stalled');
        const spoken = content === '' ? line : ` ${line}`;
        say(spoken, true);
        content += spoken;
        reply += content;
        this.spoke(answering, content, { ...timing, firstTokenMs: firstTokenMs ?? elapsed(input.receivedAt), interrupted: false });
        return { reply, toolCalls, ended: false, handoff: null };
      }
      reply += content;
      if (calls.length === 0) {
        say('', true);
        this.spoke(answering, content, { ...timing, interrupted: false });
        return { reply, toolCalls, ended: false, handoff: null };
      }

      // Tool calls: what was said first is a turn of its own; each call is executed and answered.
      const seq = content ? this.nextSeq++ : null;
      if (seq !== null) this.record({ seq, role: 'assistant', content, startedAt, endedAt: new Date(), firstTokenMs, modelFirstTokenMs });
      this.history.push({
        role: 'assistant',
        content: content || null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
      });
      if (seq !== null) answering.parts.push({ seq, index: this.history.length - 1, content });
      let ending: { reason: EndReason; handoff: Record<string, unknown> } | null = null;
      for (const call of calls) {
        const bound = this.tools.find((t) => t.name === call.name);
        const args = parseArguments(call.arguments);
        const toolStarted = new Date();
        let result: string;
        if (!bound) result = `Unknown tool ${call.name}.`;
        else {
          try {
            const outcome = await runTool(this.ctx.db, this.ctx.embedder, this.toolScope(), bound, args, new Date());
            result = outcome.action && this.info.channel === 'text' ? `${outcome.result} (A text conversation: the caller hears nothing of it.)` : outcome.result;
            ending ??= outcome.end;
            if (outcome.action) sink.act(outcome.action);
            this.toolsUsed.add(bound.tool.type);
          } catch (err) {
            this.ctx.log.warn({ err, tool: call.name }, 'ai tool failed');
            result = 'The tool failed.';
          }
        }
        toolCalls.push({ name: call.name, arguments: args, result });
        this.history.push({ role: 'tool', tool_call_id: call.id, content: result });
        this.record({ seq: this.nextSeq++, role: 'tool', content: result, toolName: bound?.tool.type ?? call.name, toolCallId: call.id, toolArguments: args, startedAt: toolStarted, endedAt: new Date() });
      }
      if (ending) {
        if (content) say('', true);
        this.endedWith = ending;
        sink.end(ending.handoff);
        return { reply, toolCalls, ended: true, handoff: ending.handoff };
      }
      // A barge-in while the tools ran (what was said is cut already) or a hang-up: no next round.
      if (answering.stopped) return { reply: answering.parts.map((p) => p.content).join(''), toolCalls, ended: false, handoff: null };
    }
    say(APOLOGY_LINE, true);
    this.spoke(answering, APOLOGY_LINE, { startedAt: new Date(), firstTokenMs: null, modelFirstTokenMs: null, interrupted: false });
    return { reply: reply + APOLOGY_LINE, toolCalls, ended: false, handoff: null };
  }

  private systemText(): string {
    return systemMessage(this.info.version.settings, {
      channel: this.info.channel,
      personPhone: this.info.personPhone,
      outboundContext: this.info.outboundContext,
      outbound: this.info.outbound,
      now: new Date(),
    });
  }

  private toolScope() {
    const { orgId, conversationId, personPhone, personTimeZone, version } = this.info;
    return { orgId, conversationId, personPhone, personTimeZone: personTimeZone ?? null, agentId: version.agentId, agentVersion: version.version };
  }

  /** An assistant turn that was spoken (whole, or up to a barge-in), the answer's last part. */
  private spoke(answering: Answering, content: string, t: { startedAt: Date; firstTokenMs: number | null; modelFirstTokenMs: number | null; interrupted: boolean }): void {
    const seq = this.nextSeq++;
    this.history.push({ role: 'assistant', content });
    answering.parts.push({ seq, index: this.history.length - 1, content });
    this.record({ seq, role: 'assistant', content, startedAt: t.startedAt, endedAt: new Date(), firstTokenMs: t.firstTokenMs, modelFirstTokenMs: t.modelFirstTokenMs, interrupted: t.interrupted });
  }

  /** A barge-in's cuts (barge-in.ts) of these parts, in the history and the stored turns. */
  private applyCuts(parts: SpokenPart[], cuts: readonly { index: number; heard: string }[]): void {
    for (const { index, heard } of cuts) {
      const part = parts[index];
      if (!part) continue; // the round being streamed: recorded by its caller
      const message = this.history[part.index] as ChatCompletionAssistantMessageParam;
      this.history[part.index] = { ...message, content: heard === '' && message.tool_calls ? null : heard };
      part.content = heard;
      this.writes.cut(part.seq, heard);
    }
  }

  private record(turn: NewTurn): void {
    this.writes.turn(turn);
  }
}
