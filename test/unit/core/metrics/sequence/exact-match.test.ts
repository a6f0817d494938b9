import { describe, expect, it } from 'vitest';
import { exactMatch, normaliseForMatch } from '../../../../../src/core/metrics/sequence/index.ts';

describe('exact match', () => {
  it('needs identical strings by default', () => {
    expect(exactMatch('Paris', 'Paris')).toBe(1);
    expect(exactMatch('Paris', 'paris')).toBe(0);
    expect(exactMatch('Paris ', 'Paris')).toBe(0);
  });

  it('normalises on request', () => {
    expect(exactMatch('Paris', 'paris', { lowercase: true })).toBe(1);
    expect(exactMatch('Paris!', 'Paris', { stripPunctuation: true })).toBe(1);
    expect(exactMatch(' a  b ', 'a b', { collapseWhitespace: true })).toBe(1);
  });

  it('applies SQuAD v1.1 normalize_answer (lower, ASCII punctuation, articles, whitespace)', () => {
    expect(normaliseForMatch('The  Eiffel-Tower, in Paris!', { squad: true })).toBe('eiffeltower in paris');
    expect(exactMatch('the Denver Broncos', 'Denver Broncos', { squad: true })).toBe(1);
    expect(exactMatch('Denver Broncos.', 'denver  broncos', { squad: true })).toBe(1);
    expect(exactMatch('Theodore', 'odore', { squad: true })).toBe(0);
  });
});
