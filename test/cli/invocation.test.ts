import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invocationOf } from '../../src/cli/invocation';

test('the command ls-bench suggests runs as the user ran ls-bench', () => {
  const cwd = '/home/me/project';
  assert.equal(invocationOf({ script: '/home/me/project/node_modules/.bin/ls-bench', env: { npm_command: 'exec', npm_lifecycle_event: 'npx' }, cwd }), 'npx ls-bench');
  assert.equal(invocationOf({ script: '/usr/local/bin/ls-bench', env: { PATH: '/usr/bin:/usr/local/bin' }, cwd }), 'ls-bench', 'npm link / npm install -g: on PATH');
  assert.equal(invocationOf({ script: '/home/me/project/bin/ls-bench.js', env: { PATH: '/usr/bin' }, cwd }), 'node bin/ls-bench.js');
  assert.equal(invocationOf({ script: '/opt/ls-bench/bin/ls-bench.js', env: {}, cwd }), 'node /opt/ls-bench/bin/ls-bench.js');
  assert.equal(invocationOf({ script: '/home/me/project/node_modules/.bin/ls-bench', env: { PATH: '/usr/bin' }, cwd }), 'node_modules/.bin/ls-bench');
  assert.equal(invocationOf({ script: '/home/me/project/ls-bench', env: { PATH: '/usr/bin' }, cwd }), './ls-bench', 'a bare name would be looked up on PATH');
});
