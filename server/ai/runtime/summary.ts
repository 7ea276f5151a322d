// After a conversation: its summary and outcome — from the model when one is configured (one
// plain, non-streamed request over the transcript), else (or when the model fails or answers
// nonsense) from rules — stored with how it ended, and copied to its AI outbound call. The summary
// request's tokens are added to the conversation's usage in the same write that ends it.
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { endConversation } from './queries.js';
import { type ConversationFacts, OUTCOMES, readModelSummary, ruleOutcome, ruleSummary } from './outcome.js';
import type { SessionContext, SessionInfo } from './session-types.js';

const SUMMARY_MAX_TOKENS = 300;

function transcriptText(history: readonly ChatCompletionMessageParam[]): string {
  return history
    .map((m) => {
      if (m.role === 'user' && typeof m.content === 'string') return `Caller: ${m.content}`;
      if (m.role === 'assistant' && typeof m.content === 'string' && m.content) return `Agent: ${m.content}`;
      if (m.role === 'tool' && typeof m.content === 'string') return `(tool: ${m.content.slice(0, 300)})`;
      return '';
    })
    .filter(Boolean)
    .join('\n')
    .slice(-20_000);
}

/** The model's summary (null when unreadable) and the tokens it cost; null when the model was not asked or failed. */
async function modelSummary(ctx: SessionContext, info: SessionInfo, facts: ConversationFacts, history: readonly ChatCompletionMessageParam[], signal?: AbortSignal) {
  if (!ctx.model || info.mode !== 'model' || facts.userTurns.length === 0) return null;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.config.aiResponseTimeoutMs * 2);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const { text, usage } = await ctx.model.complete(
      {
        model: info.version.settings.model,
        temperature: 0,
        maxTokens: SUMMARY_MAX_TOKENS,
        messages: [
          {
            role: 'system',
            content: `Summarise this conversation between a caller and a voice agent in one or two sentences, and classify its outcome as one of: ${OUTCOMES.join(', ')}. It ended because: ${facts.endReason}. Answer only with JSON: {"summary": "...", "outcome": "..."}`,
          },
          { role: 'user', content: transcriptText(history) },
        ],
      },
      controller.signal,
    );
    return { read: readModelSummary(text), usage };
  } catch (err) {
    ctx.log.warn({ err, conversationId: info.conversationId }, 'ai summary request failed; summarising by rules');
    return null;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function finishConversation(
  ctx: SessionContext,
  info: SessionInfo,
  facts: ConversationFacts,
  history: readonly ChatCompletionMessageParam[],
  signal?: AbortSignal,
): Promise<void> {
  const byRules = ruleOutcome(facts);
  const asked = await modelSummary(ctx, info, facts, history, signal);
  const fromModel = asked?.read ?? null;
  // A transfer or a booked callback is a fact; the model's word is taken for the rest.
  const outcome = byRules === 'transferred' || byRules === 'callback_scheduled' || byRules === 'no_input' ? byRules : (fromModel?.outcome ?? byRules);
  await endConversation(ctx.db, info.orgId, info.conversationId, {
    endReason: facts.endReason,
    handoff: facts.handoff,
    summary: fromModel?.summary ?? ruleSummary(facts, outcome),
    outcome,
    usage: asked?.usage ?? null,
  });
}
