// NodeConnection with its real dependencies (the SDK client and EngineHost) against a real
// `memcloud node run` process: attach, handover when that node leaves, graceful stop on dispose.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI } from '../../support/node-process';
import { NodeConnection } from '../../../extension/node/node-connection';
import { realNodeConnectionDeps } from '../../../extension/node/real-deps';
import type { NodeSettings } from '../../../extension/settings/settings';
import { connectionStateWhen } from './connection-state';


describe('NodeConnection with the real SDK client and EngineHost', () => {
  const work = mkdtempSync('/tmp/mc-link-');
  after(() => rmSync(work, { recursive: true, force: true }));

  test('attaches to a CLI node, takes over when it leaves, stops its own engine on dispose', { timeout: 60_000 }, async () => {
    const home = join(work, 'home');
    const settings: NodeSettings = { home, autoStart: true, engine: { host: '127.0.0.1', port: 0, discovery: false, name: 'window' } };
    const cliNode = spawn(process.execPath, [CLI, 'node', 'run', '--home', home, '--host', '127.0.0.1', '--port', '0', '--no-discovery', '--name', 'terminal'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cliNode.stdout.on('data', (c: Buffer) => (output += c));
    cliNode.stderr.on('data', (c: Buffer) => (output += c));
    const link = new NodeConnection(home, true, realNodeConnectionDeps(() => settings));
    try {
      for (let i = 0; i < 200 && !output.includes('ready: fingerprint'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(output, /ready: fingerprint/);

      await link.attach();
      assert.equal(link.state.kind, 'running');
      assert.equal(link.hosting, false);
      const attached = await link.client!.status();
      assert.equal(attached.pid, cliNode.pid);
      assert.equal(attached.name, 'terminal');

      const exited = new Promise((r) => cliNode.once('exit', r));
      cliNode.kill('SIGINT'); // graceful leave, as when the window hosting the node closes
      await exited;
      await connectionStateWhen(link, (s) => s.kind === 'running' && link.hosting);
      const own = await link.client!.status();
      assert.equal(own.pid, process.pid, 'the engine now runs in this process (worker threads)');
      assert.equal(own.name, 'window', 'started with this window\'s settings');
      assert.equal(own.publicKey, attached.publicKey, 'same home, same identity');
    } finally {
      cliNode.kill('SIGKILL');
      await link.dispose();
    }
    assert.equal(existsSync(join(home, 'node.lock')), false, 'the node lock is released');
    assert.equal(existsSync(join(home, 'control.sock')), false, 'the control socket is gone');
  });
});
