import { describe, expect, it } from 'vitest';
import { claimWordsFrom, parseComment, type ParsedComment } from '../../../src/orders/live/claim-parser.js';

const codes = ['M1', 'M2', 'B12'];
const parse = (text: string, claimWords?: string[]) => parseComment(text, { codes, ...(claimWords ? { claimWords } : {}) });
const claim = (...items: Array<[string, number]>): ParsedComment => ({ kind: 'claim', items: items.map(([code, quantity]) => ({ code, quantity })) });

describe('the claim parser', () => {
  const claims: Array<[string, ParsedComment]> = [
    ['mine M1', claim(['M1', 1])],
    ['M1 mine', claim(['M1', 1])],
    ['Mine m1 x2', claim(['M1', 2])],
    ['MINE M1 X2', claim(['M1', 2])],
    ['M1 2pcs', claim(['M1', 2])],
    ['M1 2 pcs', claim(['M1', 2])],
    ['m1 x 3', claim(['M1', 3])],
    ['grab M1', claim(['M1', 1])],
    ['steal M1 po', claim(['M1', 1])],
    ['sold m2 🙏', claim(['M2', 1])],
    ['mine M1, M2', claim(['M1', 1], ['M2', 1])],
    ['mine M1 x2 and B12', claim(['M1', 2], ['B12', 1])],
    ['mine m1 2pcs, m2 x3', claim(['M1', 2], ['M2', 3])],
    ['Mine po M1 ate!', claim(['M1', 1])],
    ['mine 2pcs M1', claim(['M1', 2])],
    ['mine m-1', claim(['M1', 1])],
  ];
  it.each(claims)('reads %j as a claim', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  const unclear: Array<[string, string[], string[]]> = [
    ['not mine M1', ['M1'], []],
    ['M1 mine?', ['M1'], []],
    ['mine M1 pero M2 na lang', ['M1', 'M2'], []],
    ['mine M9', [], ['M9']],
    ['M1', ['M1'], []],
    ['mine', [], []],
    ['mine M1 M1', ['M1'], []],
    ['mine M1 x0', ['M1'], []],
    ['mine M1 x500', ['M1'], []],
    ['mine M1 2 3', ['M1'], []],
  ];
  it.each(unclear)('does not claim from %j but says it looked like one', (text, codesSeen, unknownCodes) => {
    expect(parse(text)).toEqual({ kind: 'unclear', codes: codesSeen, unknownCodes });
  });

  const priceQuestions: Array<[string, string[]]> = [
    ['how much M1?', ['M1']],
    ['hm m2', ['M2']],
    ['magkano po M1 at B12', ['M1', 'B12']],
    ['price M1 pls', ['M1']],
  ];
  it.each(priceQuestions)('reads %j as a price question', (text, asked) => {
    expect(parse(text)).toEqual({ kind: 'price_question', codes: asked });
  });

  it.each(['nice dress!', 'ganda 😍', '', '   ', 'hello po', 'where are you located?'])('ignores %j', (text) => {
    expect(parse(text)).toEqual({ kind: 'none' });
  });

  it('uses the configured claim words only', () => {
    const words = claimWordsFrom(['Akin', ' kuha ']);
    expect(parse('akin M1', words)).toEqual(claim(['M1', 1]));
    expect(parse('kuha m2 x2', words)).toEqual(claim(['M2', 2]));
    expect(parse('mine M1', words)).toEqual({ kind: 'unclear', codes: ['M1'], unknownCodes: [] });
  });

  it('falls back to the default words when none are configured', () => {
    expect(parse('steal M1', claimWordsFrom([]))).toEqual(claim(['M1', 1]));
  });
});
