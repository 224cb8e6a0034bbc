import type { ValidationError } from '../types.js';

/** Result codes of the live-sale service (mapped to HTTP statuses in src/http/errors.ts). */
export type LiveErrorCode =
  | 'VALIDATION_FAILED'
  | 'PRODUCT_NOT_FOUND'
  | 'SALE_NOT_FOUND'
  | 'SALE_ALREADY_LIVE'
  | 'SALE_NOT_LIVE'
  | 'NO_LIVE_VIDEO'
  | 'LIVE_VIDEO_LOOKUP_FAILED';

/** `post_id: "latest_live"`: the sale is for the Page's live video broadcasting now (asked of Graph). */
export const LATEST_LIVE = 'latest_live';

/** The Page's live video now, as the post its comments arrive on; `error`: Graph could not be asked. */
export type LatestLive = { found: true; post_id: string; title: string | null } | { found: false; error?: string };

/** Asks Graph for the Page's live video (late-bound by the composition root: src/orders imports no transport). */
export interface LiveVideoFinder {
  latest(): Promise<LatestLive>;
}

export type LiveFailure = { success: false; error: string; code: LiveErrorCode; validation_errors?: ValidationError[] };

export interface LiveCodeTally {
  code: string;
  product_id: number;
  name: string;
  price: string;
  /** units on hand */
  stock: number;
  /** units not held by anyone now */
  available: number;
  /** units held or checked out through this sale */
  claimed: number;
  /** units waited for */
  waitlist: number;
  checked_out: number;
  expired: number;
  limit_per_buyer: number | null;
}

export interface LiveSale {
  id: number;
  post_id: string;
  status: 'live' | 'stopped';
  created_by: string;
  created_at: string;
  stopped_at: string | null;
  codes: LiveCodeTally[];
}

export interface LiveSaleSummary {
  sale_id: number;
  post_id: string;
  comments: number;
  claims: number;
  codes: LiveCodeTally[];
}

/** One Page-feed comment (webhook `changes[].value`), already filtered to verb 'add' on a post. */
export interface FeedComment {
  comment_id: string;
  post_id: string;
  parent_id: string | null;
  from_id: string;
  from_name: string | null;
  message: string;
  created_time: number | null;
}

/** A hold that needs its expiry job (BullMQ delayed job; a sweeper is the safety net). */
export interface HoldDue {
  claimId: number;
  expiresAt: Date;
}

export interface HoldScheduler {
  schedule(holds: HoldDue[]): Promise<void>;
}

export type CommentOutcome =
  | { handled: false; reason: 'no_live_sale' | 'duplicate' }
  | { handled: true; kind: 'claim' | 'price_question' | 'unclear' | 'none'; held: number; waitlisted: number; replyId: number | null };

/** A held line put into the buyer's cart when they wrote to the Page. */
export interface CartedHold {
  claim_id: number;
  code: string;
  name: string;
  price: string;
  quantity: number;
  hold_expires_at: string;
}

/** One code of a comment, as the private reply tells it (the live_reply notification payload's lines). */
export interface ReplyLine {
  code: string;
  name: string;
  price: string;
  quantity: number;
  outcome: 'held' | 'waitlisted' | 'limit';
  /** waitlisted: place in the queue (1 = next) */
  position?: number;
  /** the live_claims row (none when refused: over the limit per buyer) */
  claimId?: number;
  available?: number;
  limit?: number;
}
