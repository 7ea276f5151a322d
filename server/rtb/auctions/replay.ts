// Re-derive a stored auction's decision from its ledger with the same pure decision code.
import type { components } from '../../../client/schema.js';
import type { BidRequestRow } from '../../../db/types.js';
import { decideAuction } from '../engine/decide.js';
import { readLedger } from './ledger.js';

type AuctionDecision = components['schemas']['AuctionDecision'];

function num(value: string | null): number | null {
  return value === null ? null : Number(value);
}

export function replayFromRow(row: BidRequestRow): components['schemas']['AuctionReplay'] {
  const ledger = readLedger(row.ledger);
  const decision = decideAuction(ledger.targets, ledger.context, ledger.settings, ledger.filtered, ledger.answers);
  const recorded: AuctionDecision = {
    status: row.status,
    winningTargetId: row.winning_target_id,
    winningBidAmount: num(row.winning_bid_amount),
    clearingPrice: num(row.clearing_price),
  };
  const replayed: AuctionDecision = {
    status: decision.status,
    winningTargetId: decision.winner?.targetId ?? null,
    winningBidAmount: decision.winner?.bidAmount ?? null,
    clearingPrice: decision.winner?.price ?? null,
  };
  const differences = (Object.keys(recorded) as Array<keyof AuctionDecision>)
    .filter((key) => recorded[key] !== replayed[key])
    .map((key) => `${key}: recorded ${String(recorded[key])}, replayed ${String(replayed[key])}`);
  return { auctionId: row.request_id, matches: differences.length === 0, recorded, replayed, differences };
}
