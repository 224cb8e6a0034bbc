/**
 * What a buyer typed under a live-sale post → a claim, a price question, "looks like a claim but I
 * could not read it", or nothing. Pure, no I/O; unit-tested as a table.
 *
 * The rule is conservative: a comment is a claim only when EVERY word in it is understood (a claim
 * word, a code of this sale, a quantity, or a polite filler such as "po" or "pls"). Anything else
 * ("not mine M1", "mine M1 pero M2 na lang", "M1 mine?") is never a claim; it becomes `unclear` when it
 * mentions a code or a claim word, so the buyer can be told how to claim. A wrong claim would take a
 * unit from someone who wanted it: missing one is the cheaper error.
 */
export interface ClaimItem {
  /** the sale's code, as the seller wrote it */
  code: string;
  quantity: number;
}

export type ParsedComment =
  | { kind: 'claim'; items: ClaimItem[] }
  | { kind: 'price_question'; codes: string[] }
  /** mentions a code or a claim word but is not a claim we can be sure of */
  | { kind: 'unclear'; codes: string[]; unknownCodes: string[] }
  | { kind: 'none' };

export const DEFAULT_CLAIM_WORDS = ['mine', 'grab', 'steal', 'sold'];
export const MAX_CLAIM_QUANTITY = 99;

const FILLERS = new Set([
  'po', 'pls', 'plz', 'please', 'ate', 'kuya', 'sis', 'mam', 'maam', 'ma’am', "ma'am", 'sir', 'miss', 'te',
  'and', 'at', '&', '+', 'also', 'ty', 'thanks', 'thank', 'you', 'salamat', 'ko', 'na', 'me', 'for', 'here', 'yes', 'oh',
]);
const NEGATIONS = new Set(['not', 'no', 'hindi', 'di', 'dont', "don't", 'nope', 'cancel', 'ayaw', 'wag', 'huwag', 'pass']);
const PRICE_WORDS = /\b(how much|hm|hmp|hmm|magkano|price|presyo|pm|pm'd|pmd|cost)\b/i;
/** something a seller would use as an item code: letters then digits, e.g. M1, A12, BAG3 */
const CODE_SHAPE = /^[a-z]{1,4}-?\d{1,4}$/i;
const QTY_AFTER = /^(?:x(\d{1,3})|(\d{1,3})x|(\d{1,3})(?:pcs?|pieces?|pc\.?))$/i;
const QTY_WORD = /^(pcs?|pieces?|x|qty)$/i;
// emoji and symbols that carry no meaning for the claim
const DECORATION = /(?:\p{Extended_Pictographic}|\u200d|\ufe0f|[!.…])+/gu; // ZWJ and VS16 as alternatives: a class would combine them

export interface ParserOptions {
  /** the sale's codes, case as the seller wrote them */
  codes: readonly string[];
  /** claim words, lower case (LIVE_CLAIM_WORDS) */
  claimWords?: readonly string[];
}

export function parseComment(text: string, opts: ParserOptions): ParsedComment {
  const claimWords = new Set((opts.claimWords ?? DEFAULT_CLAIM_WORDS).map((w) => w.toLowerCase()));
  const byLower = new Map(opts.codes.map((c) => [c.toLowerCase(), c]));
  const clean = text.normalize('NFKC').replace(DECORATION, ' ').trim();
  if (!clean) return { kind: 'none' };
  const tokens = clean.toLowerCase().split(/[\s,;/]+/).filter(Boolean);

  const codes: string[] = [];
  const unknownCodes: string[] = [];
  let claimWord = false;
  let understood = true;
  let negated = false;
  const items: ClaimItem[] = [];
  let lastItem: ClaimItem | null = null;
  let pendingQty: number | null = null; // "2 pcs M1", "x2 M1"

  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i]!;
    const hasQuestion = raw.includes('?');
    const t = raw.replace(/\?/g, '');
    if (hasQuestion) understood = false;
    if (!t) continue;
    const code = byLower.get(t) ?? byLower.get(t.replace('-', ''));
    if (code) {
      codes.push(code);
      lastItem = { code, quantity: pendingQty ?? 1 };
      pendingQty = null;
      items.push(lastItem);
      continue;
    }
    if (claimWords.has(t)) {
      claimWord = true;
      continue;
    }
    if (NEGATIONS.has(t)) {
      negated = true;
      continue;
    }
    const qty = quantityOf(t, tokens[i + 1]);
    if (qty !== null) {
      if (qty.consumedNext) i++;
      if (qty.n < 1 || qty.n > MAX_CLAIM_QUANTITY) understood = false;
      else if (lastItem && lastItem.quantity === 1 && pendingQty === null) lastItem.quantity = qty.n;
      else if (pendingQty === null) pendingQty = qty.n;
      else understood = false;
      continue;
    }
    if (CODE_SHAPE.test(t)) {
      unknownCodes.push(t.toUpperCase());
      understood = false;
      continue;
    }
    if (FILLERS.has(t)) continue;
    understood = false;
  }

  if (codes.length && PRICE_WORDS.test(clean)) return { kind: 'price_question', codes: unique(codes) };
  const quantityGiven = items.some((it) => it.quantity > 1);
  const looksLikeClaim = claimWord || unknownCodes.length > 0 || codes.length > 0;
  const sure = understood && !negated && pendingQty === null && items.length > 0 && (claimWord || quantityGiven);
  if (sure && !hasDuplicates(items)) return { kind: 'claim', items };
  if (looksLikeClaim) return { kind: 'unclear', codes: unique(codes), unknownCodes: unique(unknownCodes) };
  return { kind: 'none' };
}

function quantityOf(t: string, next: string | undefined): { n: number; consumedNext: boolean } | null {
  const m = QTY_AFTER.exec(t);
  if (m) return { n: Number(m[1] ?? m[2] ?? m[3]), consumedNext: false };
  // "x 2", "qty 2"
  if ((t === 'x' || t === 'qty') && next && /^\d{1,3}$/.test(next)) return { n: Number(next), consumedNext: true };
  // "2 pcs", "2"
  if (/^\d{1,3}$/.test(t)) {
    if (next && QTY_WORD.test(next) && next !== 'x' && next !== 'qty') return { n: Number(t), consumedNext: true };
    return { n: Number(t), consumedNext: false };
  }
  return null;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** "mine M1 M1" is odd enough to ask about rather than guess. */
function hasDuplicates(items: ClaimItem[]): boolean {
  return new Set(items.map((i) => i.code)).size !== items.length;
}

/** LIVE_CLAIM_WORDS "mine, Grab ,steal" → ['mine', 'grab', 'steal'] */
export function claimWordsFrom(csv: readonly string[]): string[] {
  const words = csv.map((w) => w.trim().toLowerCase()).filter(Boolean);
  return words.length ? words : DEFAULT_CLAIM_WORDS;
}
