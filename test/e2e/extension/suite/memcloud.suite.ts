// The MemCloud extension in the real extension host, against real nodes: a second node "desk"
// (started by the launcher) and a third, unknown node "stranger" started here. Tests run in order
// and build on each other, like a user's session.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { EngineEvent, PeerInfo, PushInfo, StreamInfo, TrustedDeviceInfo } from '../../../../engine/api/types';
import { sealedSize } from '../../../../engine/data/stored-size';
import { chargeOf } from '../../../../engine/store/block-cost';
import { formatSize } from '../../../../engine/store/sizes';
import type { MemCloudExtensionExports } from '../../../../extension/extension';
import type { BuildCacheStatus } from '../../../../engine/api/build-cache-types';
import { env, http, sha256File, startCliNode, terminalEnv, waitFor, type CliNode } from './helpers';

const EXTENSION_ID = 'memcloud.memcloud';
const MiB = 1024 * 1024;

suite('MemCloud extension in the real extension host', () => {
  let api: MemCloudExtensionExports['testing'];
  const peerAddress = env('MEMCLOUD_TEST_PEER');
  const peerKey = env('MEMCLOUD_TEST_PEER_KEY');
  const work = env('MEMCLOUD_TEST_WORK');
  let offloaded: StreamInfo;
  let folderId = '';
  const started: CliNode[] = [];

  const client = () => {
    const c = api.link.client;
    assert.ok(c, 'attached to a node');
    return c;
  };
  const peerRow = (label: string) => api.views.peers.rows().find((r) => r.label === label);
  const deviceRow = (label: string) => api.views.trusted.rows().find((r) => r.label === label);

  suiteTeardown(async () => {
    await Promise.all(started.map((n) => n.stop()));
  });

  test('activates at once and starts its own engine for its home in worker threads', async () => {
    const ext = vscode.extensions.getExtension<MemCloudExtensionExports>(EXTENSION_ID);
    assert.ok(ext, 'the extension is loaded');
    api = (await ext.activate()).testing;
    const attachStarted = performance.now();
    await waitFor('the node to run', () => api.link.state.kind === 'running', 30_000);
    console.log(`e2e: activate() took ${api.activationMs.toFixed(1)} ms; the engine was up ${(performance.now() - attachStarted).toFixed(0)} ms after the test began waiting`);
    assert.equal(api.link.hosting, true, 'no node ran for the home, so this window started one');
    const status = await client().status();
    assert.equal(status.home, process.env.MEMCLOUD_HOME);
    assert.equal(status.name, 'laptop', 'config.json in the home applies');
    assert.equal(status.pid, process.pid, 'the engine runs in this process (worker threads), not another one');
    assert.notEqual(status.listen.port, 0);
  });

  test('"MemCloud: Trust Device" with a key argument trusts the peer', async () => {
    const device = await vscode.commands.executeCommand<TrustedDeviceInfo>('memcloud.trustDevice', peerKey, 'desk');
    assert.ok(device, 'the command returned the trusted device');
    assert.equal(device.publicKey, peerKey);
    assert.equal(device.status, 'trusted');
    assert.equal(device.approval, 'extension');
    const row = await waitFor('desk in Trusted Devices', () => api.views.trusted.rows().find((r) => r.id === `device:${peerKey}`));
    assert.equal(row.contextValue, 'device:trusted');
    assert.match(row.description ?? '', new RegExp(device.fingerprint));
  });

  test('"Connect to Peer..." with an address connects; the badge counts it', async () => {
    const peer = await vscode.commands.executeCommand<PeerInfo>('memcloud.connectPeer', peerAddress, peerKey);
    assert.ok(peer, 'the command returned the peer');
    assert.equal(peer.state, 'connected');
    assert.equal(peer.name, 'desk');
    const row = await waitFor('desk connected in Peers', () => (peerRow('desk')?.contextValue === 'peer:connected:trusted' ? peerRow('desk') : undefined));
    const short = peer.fingerprint.split('-').slice(0, 2).join('-');
    assert.ok(row.description?.startsWith(`${short} · ${peerAddress} · offers `), row.description);
    await waitFor('the badge to show 1', () => api.views.peersView.badge?.value === 1);
    await waitFor('desk connected in Trusted Devices', () => deviceRow('desk')?.contextValue === 'device:trusted:connected');
  });

  test('offloads a 64 MiB file with progress, and restores it byte-identical', async () => {
    const file = join(work, 'big.bin');
    writeFileSync(file, randomBytes(64 * MiB));
    const progress: number[] = [];
    const onEvent = (e: EngineEvent) => e.type === 'progress' && e.progress.direction === 'push' && progress.push(e.progress.doneBytes);
    api.link.on('event', onEvent);
    try {
      offloaded = (await vscode.commands.executeCommand<StreamInfo>('memcloud.offload', vscode.Uri.file(file)))!;
    } finally {
      api.link.off('event', onEvent);
    }
    assert.ok(offloaded, 'the command returned the stream');
    assert.equal(offloaded.size, 64 * MiB);
    assert.ok(progress.length > 0 && progress[progress.length - 1] === 64 * MiB, `progress events reached the end: ${progress.join(',')}`);
    const row = await waitFor('big.bin in Offloaded Data', () => api.views.data.rows().find((r) => r.label === 'big.bin'));
    assert.equal(row.contextValue, 'data:stream');
    assert.equal(row.description, '64 MiB · 1 copy on desk');
    const restored = join(work, 'restored.bin');
    const info = await vscode.commands.executeCommand<StreamInfo>('memcloud.restore', offloaded.id, restored);
    assert.equal(info?.id, offloaded.id);
    assert.equal(await sha256File(restored), await sha256File(file));
  });

  test('cancelling an offload leaves nothing stored, here or on the peer', async () => {
    const file = join(work, 'cancelled.bin');
    writeFileSync(file, randomBytes(128 * MiB));
    const itemsBefore = (await client().listData()).map((d) => d.id);
    const cancel = new vscode.CancellationTokenSource();
    let progressSeen = 0;
    const onEvent = (e: EngineEvent) => {
      if (e.type !== 'progress' || e.progress.direction !== 'push') return;
      progressSeen++;
      cancel.cancel(); // what the notification's Cancel button does
    };
    api.link.on('event', onEvent);
    try {
      const result = await vscode.commands.executeCommand('memcloud.offload', vscode.Uri.file(file), undefined, { cancel: cancel.token });
      assert.equal(result, undefined, 'the offload was cancelled, not completed');
    } finally {
      api.link.off('event', onEvent);
    }
    assert.ok(progressSeen > 0, 'it was under way');
    assert.deepEqual((await client().listData()).map((d) => d.id), itemsBefore);
    // Desk holds the first file's 64 chunks of 1 MiB, sealed (docs/protocol.md 7.4).
    await waitFor('what desk holds for us to be back to 64 MiB', async () => (await client().peers()).find((p) => p.name === 'desk')?.usedByUsBytes === 64 * chargeOf(sealedSize(MiB)));
  });

  test('offloads a folder and restores it as a folder', async () => {
    const folder = join(work, 'project');
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'README.md'), '# project\n');
    writeFileSync(join(folder, 'src', 'data.bin'), randomBytes(MiB + 17));
    assert.equal(spawnSync('mkfifo', [join(folder, 'src', 'a-fifo')]).status, 0);
    const info = await vscode.commands.executeCommand<PushInfo>('memcloud.offload', folder);
    assert.equal(info?.format, 'folder');
    assert.deepEqual(info.skipped, ['src/a-fifo'], 'the offload says what it could not store');
    folderId = info.id;
    await waitFor('project in Offloaded Data', () => api.views.data.rows().find((r) => r.label === 'project'));
    const restored = join(work, 'project-restored');
    await vscode.commands.executeCommand('memcloud.restore', info.id, vscode.Uri.file(restored));
    assert.equal(readFileSync(join(restored, 'README.md'), 'utf8'), '# project\n');
    assert.equal(await sha256File(join(restored, 'src', 'data.bin')), await sha256File(join(folder, 'src', 'data.bin')));
    assert.deepEqual(readdirSync(join(restored, 'src')), ['data.bin']);
  });

  test('the three views show peers, trusted devices and data; unchanged data does not redraw', async () => {
    await api.model.refresh();
    const desk = peerRow('desk');
    assert.ok(desk);
    // The file and the folder, as desk charges them: each 1 MiB chunk sealed, plus 512 B per block.
    const charged = (size: number): number => {
      let n = 0;
      for (let left = size; left > 0; left -= MiB) n += chargeOf(sealedSize(Math.min(MiB, left)));
      return n;
    };
    const expected = (await client().listData()).reduce((n, d) => n + charged(d.size), 0);
    const usedBytes = (await client().peers()).find((p) => p.name === 'desk')!.usedByUsBytes;
    assert.equal(usedBytes, expected, 'the file and the folder');
    const used = formatSize(usedBytes);
    assert.equal(used, '65.1 MiB');
    assert.match(desk.description ?? '', new RegExp(`offers [\\d.]+ \\w+, we use ${used}( · (<\\d+ ms|≥500 ms))?$`));
    assert.match(desk.tooltip ?? '', new RegExp(`We store there: ${used}`));
    const device = deviceRow('desk');
    assert.ok(device?.children?.some((c) => c.label === 'Approved' && c.description === 'added in VS Code'));
    assert.deepEqual(
      api.views.data.rows().map((r) => r.label),
      ['project', 'big.bin'],
      'newest first',
    );
    const redraws = [api.views.peers.redraws, api.views.trusted.redraws, api.views.data.redraws];
    await api.model.refresh();
    await api.model.refresh();
    assert.deepEqual([api.views.peers.redraws, api.views.trusted.redraws, api.views.data.redraws], redraws, 'same labels, no redraw');
  });

  test('an unknown device asking to connect is approved through the consent path', async () => {
    const port = (await client().status()).listen.port;
    const stranger = startCliNode(['--home', env('MEMCLOUD_TEST_STRANGER_HOME'), '--name', 'stranger', '--host', '127.0.0.1', '--port', '0', '--no-discovery', '--connect', `127.0.0.1:${port}`]);
    started.push(stranger);
    await stranger.waitFor(/ready: fingerprint/);
    const pending = await waitFor('stranger pending in Peers', () => api.views.peers.nodes().find((n) => n.row.label === 'stranger' && n.row.contextValue === 'peer:pending:untrusted'));
    assert.match(pending.row.description ?? '', /waiting for your consent/);
    const consentId = pending.value.consentId;
    assert.ok(consentId, 'the pending peer carries its request id');
    // The tree's "Allow Once" action and the notification's button both end in ConsentPrompt.answer.
    assert.equal(await vscode.commands.executeCommand('memcloud.answerConsent', pending, 'once'), 'answered');
    await waitFor('stranger connected (allowed once, not trusted)', () => peerRow('stranger')?.contextValue === 'peer:connected:untrusted');
    await waitFor('the badge to show 2', () => api.views.peersView.badge?.value === 2);
    assert.equal(await api.consent.answer(consentId, 'deny'), 'late', 'a second answer is too late');
    assert.equal(deviceRow('stranger'), undefined, 'allowed once: not added to trusted devices');
  });

  test('"Revoke Trust" closes the session with the peer; the badge drops', async () => {
    const revoked = await vscode.commands.executeCommand<TrustedDeviceInfo>('memcloud.revokeTrust', peerKey);
    assert.equal(revoked?.status, 'revoked');
    await waitFor('desk gone from Peers', () => peerRow('desk') === undefined);
    await waitFor('the badge to show 1', () => api.views.peersView.badge?.value === 1);
    await waitFor('desk revoked in Trusted Devices', () => deviceRow('desk')?.contextValue === 'device:revoked');
    const peers = await client().peers();
    assert.equal(peers.find((p) => p.publicKey === peerKey), undefined, 'no session with desk remains');
  });

  test('"Set Offered Memory..." applies live and is saved in the settings', async () => {
    assert.equal(await vscode.commands.executeCommand('memcloud.setOfferedMemory', '256mb'), 256 * MiB);
    assert.equal((await client().status()).offeredBytes, 256 * MiB);
    assert.equal(vscode.workspace.getConfiguration('memcloud').get('offeredMemory'), '256mb');
    // A change made in the settings applies live as well.
    await vscode.workspace.getConfiguration('memcloud').update('offeredMemory', '300mb', vscode.ConfigurationTarget.Global);
    await waitFor('the node to offer 300 MiB', async () => (await client().status()).offeredBytes === 300 * MiB);
  });

  test('"Free..." frees the offloaded items', async () => {
    assert.equal(await vscode.commands.executeCommand('memcloud.free', offloaded.id), true);
    assert.equal(await vscode.commands.executeCommand('memcloud.free', folderId), true);
    await waitFor('Offloaded Data to be empty', () => api.views.data.rows().length === 0);
  });

  test('"Use LAN RAM for Build Caches" opens the endpoint; every new terminal gets the variables (never persisted)', async () => {
    const status = await vscode.commands.executeCommand<BuildCacheStatus>('memcloud.useBuildCache');
    assert.ok(status?.running, 'the endpoint runs');
    assert.match(status.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    await waitFor('the variables to be in place', () => api.terminalVariables.url === status.url);
    assert.equal(api.environment.persistent, false);
    assert.match(String(api.environment.description), /MemCloud: build caches/);
    const vars = await terminalEnv('terminal-1');
    const expected = await client().cacheEnv();
    for (const v of expected.vars) assert.equal(vars.get(v.name), v.value, v.name);
    assert.equal(vars.get('NX_SELF_HOSTED_REMOTE_CACHE_SERVER'), status.url);
    assert.equal(vars.get('TURBO_TEAM'), 'memcloud');
  });

  test('the status bar shows the hit rate; Offloaded Data shows the cache as one item, and freeing it clears the cache', async () => {
    const env = await client().cacheEnv();
    const token = env.vars.find((v) => v.name === 'TURBO_TOKEN')!.value;
    const port = Number(new URL(env.url).port);
    for (const [method, path, body] of [['PUT', '/ccache/e2e/one', 'object'], ['GET', '/ccache/e2e/one'], ['GET', '/ccache/e2e/two'], ['GET', '/ccache/e2e/one']] as const) {
      await http(port, method, path, token, body);
    }
    await api.model.refresh(['cache', 'data']);
    await waitFor('the hit rate in the status bar', () => api.statusBar.text.endsWith('· cache 67%') && api.statusBar.text);
    assert.match(String(api.statusBar.tooltip), /Build cache at http:\/\/127\.0\.0\.1:\d+: hit rate 67% \(2 hits, 1 miss\), 1 entry/);
    const row = await waitFor('the build cache in Offloaded Data', () => api.views.data.rows().find((r) => r.id === 'data:cache:buildcache'));
    assert.equal(row.label, 'Build cache (1 entry)');
    assert.equal(row.contextValue, 'data:cache');
    assert.equal(await vscode.commands.executeCommand('memcloud.free', 'buildcache'), true);
    await waitFor('the cache item to go', () => api.views.data.rows().every((r) => r.id !== 'data:cache:buildcache'));
    assert.equal((await client().cacheStatus()).entries, 0);
    assert.equal((await http(port, 'GET', '/ccache/e2e/one', token)).status, 404);
  });

  test('the endpoint stopped elsewhere (memcloud cache stop): the Nx variable leaves new terminals at once; "Stop Using..." stops it here', async () => {
    const stop = spawnSync(env('MEMCLOUD_TEST_NODE_BIN'), [env('MEMCLOUD_TEST_CLI'), 'cache', 'stop', '--home', env('MEMCLOUD_HOME')], { encoding: 'utf8' });
    assert.equal(stop.status, 0, stop.stderr);
    await waitFor('the variables to go', () => api.terminalVariables.url === null && api.environment.get('NX_SELF_HOSTED_REMOTE_CACHE_SERVER') === undefined);
    const vars = await terminalEnv('terminal-2');
    assert.equal(vars.get('NX_SELF_HOSTED_REMOTE_CACHE_SERVER'), undefined);
    assert.equal(vars.get('TURBO_API'), undefined);
    const again = await vscode.commands.executeCommand<BuildCacheStatus>('memcloud.useBuildCache');
    await waitFor('the variables to return', () => api.environment.get('NX_SELF_HOSTED_REMOTE_CACHE_SERVER')?.value === again?.url);
    const stopped = await vscode.commands.executeCommand<BuildCacheStatus>('memcloud.stopBuildCache');
    assert.equal(stopped?.running, false);
    assert.equal(api.environment.get('NX_SELF_HOSTED_REMOTE_CACHE_SERVER'), undefined);
    assert.equal((await client().cacheStatus()).running, false);
    assert.equal((await terminalEnv('terminal-3')).get('TURBO_API'), undefined);
  });

  test('handover: attached to a node started elsewhere, it takes over when that node leaves', async () => {
    await vscode.commands.executeCommand('memcloud.stopNode');
    assert.equal(api.link.state.kind, 'stopped');
    assert.equal(api.link.client, undefined);
    // "Another window" (here the CLI) now runs the node for the same home.
    const other = startCliNode(['--home', env('MEMCLOUD_HOME')]);
    started.push(other);
    await other.waitFor(/ready: fingerprint/);
    await vscode.commands.executeCommand('memcloud.startNode');
    await waitFor('attached to the other node', () => api.link.state.kind === 'running');
    assert.equal(api.link.hosting, false, 'attached, not hosting');
    assert.equal((await client().status()).pid, other.process.pid);
    await other.stop(); // the other "window" closes: graceful leave
    await waitFor('this window to take over', () => api.link.state.kind === 'running' && api.link.hosting, 30_000);
    assert.equal((await client().status()).pid, process.pid);
  });
});
