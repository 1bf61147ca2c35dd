// The harness's log text: printf-style substitution as the console does it, and plain text (mocha
// colours its report when FORCE_COLOR or CI asks; the suites match titles in it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogArgs } from '../../scripts/e2e/run-extension-tests.mjs';

test('log arguments are formatted like console output, colour codes removed', () => {
  assert.equal(formatLogArgs(['  %d passing (%s)', 5, '147ms']), '  5 passing (147ms)');
  assert.equal(formatLogArgs(['    \x1b[32m✔\x1b[39m activates and returns its API\x1b[90m (130ms)\x1b[0m']), '    ✔ activates and returns its API (130ms)');
  assert.equal(formatLogArgs('plain'), 'plain');
});
