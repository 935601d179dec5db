import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSelector, fromLabelSelector, matches, parseSelector, SelectorParseError } from '../../engine/api/labels.ts';

test('string selectors parse and match as upstream', () => {
  const s = parseSelector('app=web, tier in (a,b),!canary,env!=prod,track');
  assert.equal(s.length, 5);
  assert.ok(matches(s, { app: 'web', tier: 'b', env: 'dev', track: 'x' }));
  assert.ok(!matches(s, { app: 'web', tier: 'c', track: 'x' }));
  assert.ok(!matches(s, { app: 'web', tier: 'a', track: 'x', canary: '1' }));
  assert.ok(!matches(s, { app: 'web', tier: 'a', env: 'prod', track: 'x' }));
  assert.ok(!matches(s, { app: 'web', tier: 'a' }));
  assert.equal(formatSelector(parseSelector('a==b,c notin (d,e)')), 'a=b,c notin (d,e)');
});

test('empty selects everything; a missing spec selector selects nothing', () => {
  assert.ok(matches(parseSelector(''), { any: 'thing' }));
  assert.ok(matches(fromLabelSelector({}), {}));
  assert.ok(!matches(fromLabelSelector(undefined), { a: 'b' }));
  const s = fromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
  assert.ok(matches(s, { app: 'web', tier: 'fe' }));
  assert.ok(!matches(s, { app: 'web', tier: 'db' }));
});

test('bad selectors are refused with a message', () => {
  assert.throws(() => parseSelector('a=b c'), SelectorParseError);
  assert.throws(() => parseSelector('-bad=x'), SelectorParseError);
  assert.throws(() => parseSelector('a in (b'), SelectorParseError);
});
