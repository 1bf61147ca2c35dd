// The memcloud CLI: argument handling in process, and real node processes pairing over TCP.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { commands } from '../../../engine/cli/main';
import { runCliInProcess } from '../../support/cli-in-process';
import { parseCommandArgs, usageLine } from '../../../engine/cli/command';
import { CLI, startNode, type RunningNode } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshHome = () => join(root, `home-${n++}`);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliInProcess(args, env);

describe('CLI arguments', () => {
  test('every command prints its usage line with --help', async () => {
    for (const c of commands) {
      const r = await run([...c.path, '--help']);
      assert.equal(r.code, 0, c.path.join(' '));
      assert.ok(r.out.startsWith(usageLine(c)), r.out);
    }
  });

  test('bad input exits 2 with a clear message and the usage line', async () => {
    const home = freshHome();
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['trust'], /"trust" needs a command[\s\S]*trust add +Trust a device/],
      [['frobnicate', '--home', '/tmp/x'], /^memcloud: unknown command "frobnicate" \(run/],
      [['node', 'frob', '--x'], /unknown command "node frob"\n[\s\S]*node start +Start a node/],
      [['trust', 'add'], /missing argument: <public-key>[\s\S]*Usage: memcloud trust add/],
      [['trust', 'add', 'not-a-key', '--home', home], /Not a MemCloud public key/],
      [['trust', 'add', 'a', 'b', '--home', home], /unexpected argument "b"/],
      [['id', '--bogus'], /Unknown option '--bogus'/],
      [['node', 'run', '--port', '99999', '--home', home], /--port must be an integer from 0 to 65535/],
      [['node', 'run', '--offer', 'lots', '--home', home], /--offer:/],
      [['node', 'run', '--connect', 'nohostport', '--home', home], /--connect: "nohostport" is not HOST:PORT/],
      [['node', 'run', '--crypto', 'rot13', '--home', home], /--crypto must be auto, native, portable, noble/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern, args.join(' '));
    }
  });

  test('`help WORDS` is `WORDS --help`; --version names the package version; --home may come first', async () => {
    for (const words of [['node'], ['node', 'start'], ['trust', 'add'], ['id']]) {
      const viaHelp = await run(['help', ...words]);
      const viaFlag = await run([...words, '--help']);
      assert.equal(viaHelp.code, 0, words.join(' '));
      assert.equal(viaHelp.out, viaFlag.out, `help ${words.join(' ')}`);
    }
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const v = await run([flag]);
      assert.equal(v.code, 0);
      assert.equal(v.out, `memcloud ${pkg.version}\n`);
    }
    const home = freshHome();
    const first = await run(['--home', home, 'id', '--json']);
    assert.equal(first.code, 0, first.err);
    const after = await run(['id', '--json', '--home', home]);
    assert.equal(JSON.parse(first.out).publicKey, JSON.parse(after.out).publicKey, 'the same home either way');
    assert.equal(JSON.parse((await run([`--home=${home}`, 'id', '--json'])).out).publicKey, JSON.parse(after.out).publicKey);
    const status = await run(['--home', home, 'node', 'status']);
    assert.match(status.err + status.out, new RegExp(`no node is running for ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const alone = await run(['--home']);
    assert.equal(alone.code, 2);
    assert.match(alone.err, /--home needs a folder and then a command/);
    const unknown = await run(['--bogus']);
    assert.equal(unknown.code, 2);
    assert.doesNotMatch(unknown.err, /memcloud {2}/, 'no double space in the usage line');
  });

  test('a group\'s --help lists its subcommands and exits 0', async () => {
    const groups = new Set(commands.filter((c) => c.path.length > 1).map((c) => c.path[0]!));
    for (const g of ['consent', 'node', 'peers', 'trust']) assert.ok(groups.has(g), g);
    for (const group of groups) {
      for (const flag of ['--help', '-h']) {
        const r = await run([group, flag]);
        assert.equal(r.code, 0, `${group} ${flag}: ${r.err}`);
        assert.equal(r.err, '');
        for (const c of commands.filter((x) => x.path.length > 1 && x.path[0] === group)) {
          assert.ok(r.out.includes(`  ${c.path.join(' ')} `) && r.out.includes(c.summary), `${group} ${flag} lists ${c.path.join(' ')}`);
        }
      }
    }
  });

  test('an unknown command is named by its words only, never its options', async () => {
    const r = await run(['frobnicate', '--home', '/tmp/x', '--name', 'y']);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'memcloud: unknown command "frobnicate" (run `memcloud --help` for the list)\n');
  });

  test('bad usage is reported (exit 2) before connecting: no node needed, no home created', async () => {
    const home = freshHome();
    writeFileSync(join(root, 'value.txt'), 'v');
    writeFileSync(join(root, 'too-big.bin'), '');
    truncateSync(join(root, 'too-big.bin'), 16_769_017); // sparse: one byte over the value limit
    const cases: Array<[string[], RegExp]> = [
      [['store', '--replicas', '0', 'hi'], /--replicas must be an integer from 1 to 16/],
      [['set', 'k', 'v', '--replicas', '17'], /--replicas must be an integer from 1 to 16/],
      [['set', 'k', 'v', '--replicas', '2', '--local'], /--replicas counts copies on peers/],
      [['set', 'bad\u0001key', 'v'], /a key must not contain control characters/],
      [['get', ''], /a key must be a non-empty string/],
      [['del', 'x'.repeat(2000)], /a key must be at most 1024 bytes/],
      [['store', 'x', '--file', join(root, 'value.txt')], /either a value or --file/],
      [['set', 'k', '--file', join(root, 'missing.bin')], /cannot read .*missing\.bin: no such file/],
      [['store', '--file', root], /cannot read .*: not a regular file/],
      [['set', 'k', '--file', join(root, 'too-big.bin')], /at most 16769016 bytes/],
      [['keys', '[unclosed'], /invalid pattern/],
      [['push', join(root, 'value.txt'), '--replicas', 'two'], /--replicas must be an integer/],
      [['push', '-', '--name', 'n'.repeat(300)], /a name must be at most 256 characters/],
      [['connect', 'nohostport'], /is not HOST:PORT/],
      [['connect', '127.0.0.1:7797', '--key', 'not-a-key'], /Not a MemCloud public key/],
      [['peers', 'update', 'x', '--allowed', 'lots'], /--allowed:/],
      [['logs', '--lines', 'many'], /--lines must be an integer/],
      [['node', 'start', '--offer', '12zz'], /--offer: invalid size "12zz"/],
      [['node', 'start', '--port', '99999'], /--port must be an integer from 0 to 65535/],
      [['node', 'start', '--replicas', '0'], /--replicas must be an integer from 1 to 16/],
      [['node', 'start', '--name', 'a\u0007b'], /name/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run([...args, '--home', home]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern, args.join(' '));
      assert.doesNotMatch(r.err, /NODE_NOT_RUNNING|no MemCloud node/, args.join(' '));
      assert.doesNotMatch(r.err, /unexpected error|\n\s+at /, `${args.join(' ')}: no stack trace`);
    }
    assert.ok(!existsSync(home), 'nothing was created for bad usage');
  });

  test('a damaged config.json stops node start before anything is spawned, naming the file', async () => {
    const home = freshHome();
    await run(['id', '--home', home]);
    writeFileSync(join(home, 'node.log'), 'MemCloud node "old" ready: an earlier run\nFATAL an old failure [INTERNAL]\n', { mode: 0o600 });
    for (const [text, why] of [['{"port": 7', /not valid JSON/], ['{"replicas": 0}', /replicas must be an integer from 1 to 16/], ['{"colour": "red"}', /unknown setting "colour"/]] as const) {
      writeFileSync(join(home, 'config.json'), text);
      const r = await run(['node', 'start', '--home', home, '--port', '0']);
      assert.equal(r.code, 1, r.err);
      assert.ok(r.err.startsWith(`memcloud: ${join(home, 'config.json')}: `), r.err);
      assert.match(r.err, why);
      assert.match(r.err, /\[CONFIG_INVALID\]\n$/);
      assert.doesNotMatch(r.err, /earlier run|old failure/);
    }
    assert.ok(!existsSync(join(home, 'node.pid')), 'no node was started');
  });

  /** A real public key whose text form starts with '-' (1 key in 64 does). */
  async function dashedKey(): Promise<string> {
    const dashed = (await import('../../../engine/identity/public-key')).encodePublicKey;
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    let key = '';
    for (let i = 0; i < 500 && !key.startsWith('-'); i++) key = dashed(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    assert.ok(key.startsWith('-'), 'found a key whose text form starts with "-"');
    return key;
  }

  test('a public key starting with "-" is an argument, not an option', async () => {
    const home = freshHome();
    const key = await dashedKey();
    const r = await run(['trust', 'add', key, '--name', 'dash', '--home', home]);
    assert.equal(r.code, 0, r.err);
    const list = JSON.parse((await run(['trust', 'list', '--json', '--home', home])).out) as Array<{ publicKey: string }>;
    assert.equal(list[0]?.publicKey, key);
    assert.equal((await run(['trust', 'remove', key, '--home', home])).code, 0);
  });

  test('a public key starting with "-" is the value of the option before it (connect --key)', async () => {
    const key = await dashedKey();
    const connect = commands.find((c) => c.path.join(' ') === 'connect')!;
    const io = { out: new PassThrough(), err: new PassThrough(), env: {}, stdin: new PassThrough() };
    for (const argv of [['127.0.0.1:7797', '--key', key], ['--key', key, '127.0.0.1:7797'], [`--key=${key}`, '127.0.0.1:7797']]) {
      const ctx = parseCommandArgs(connect, argv, io);
      assert.ok(ctx !== 'help');
      assert.equal(ctx.values.key, key, argv.join(' '));
      assert.deepEqual(ctx.positionals, ['127.0.0.1:7797'], argv.join(' '));
    }
  });

  test('id creates a 0700 home and a 0600 identity; --json matches the text form', async () => {
    const home = freshHome();
    const text = await run(['id', '--home', home]);
    assert.equal(text.code, 0);
    const json = JSON.parse((await run(['id', '--json'], { MEMCLOUD_HOME: home })).out);
    assert.ok(text.out.includes(json.publicKey) && text.out.includes(json.fingerprint));
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, 'identity_key')).mode & 0o777, 0o600);
  });

  test('trust add, list, remove by fingerprint and by name', async () => {
    const home = freshHome();
    const other = JSON.parse((await run(['id', '--json', '--home', freshHome()])).out);
    const third = JSON.parse((await run(['id', '--json', '--home', freshHome()])).out);
    assert.equal((await run(['trust', 'add', other.publicKey, '--name', 'desk', '--home', home])).code, 0);
    assert.equal((await run(['trust', 'add', third.publicKey, '--name', 'nas', '--home', home])).code, 0);
    const list = JSON.parse((await run(['trust', 'list', '--json', '--home', home])).out);
    assert.deepEqual(list.map((d: { name: string }) => d.name), ['desk', 'nas']);
    assert.equal(list[0].fingerprint, other.fingerprint);
    const byFp = await run(['trust', 'remove', other.fingerprint.slice(0, 9).toLowerCase(), '--home', home]);
    assert.equal(byFp.code, 0, byFp.err);
    assert.match(byFp.out, /Revoked desk/);
    assert.equal((await run(['trust', 'remove', 'nas', '--forget', '--home', home])).code, 0);
    const after = JSON.parse((await run(['trust', 'list', '--json', '--home', home])).out);
    assert.deepEqual(after.map((d: { name: string; status: string }) => [d.name, d.status]), [['desk', 'revoked']]);
    const missing = await run(['trust', 'remove', 'nobody', '--home', home]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no device matches "nobody"/);
  });

  test('trust add of a known device again, with no node running, keeps its name', async () => {
    const home = freshHome();
    const other = JSON.parse((await run(['id', '--json', '--home', freshHome()])).out);
    assert.equal((await run(['trust', 'add', other.publicKey, '--name', 'desk', '--home', home])).code, 0);
    assert.equal((await run(['trust', 'remove', 'desk', '--home', home])).code, 0);
    const again = await run(['trust', 'add', other.publicKey, '--home', home]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^Trusted desk\n/);
    const list = JSON.parse((await run(['trust', 'list', '--json', '--home', home])).out);
    assert.deepEqual(list.map((d: { name: string; status: string }) => [d.name, d.status]), [['desk', 'trusted']]);
    const unnamed = JSON.parse((await run(['id', '--json', '--home', freshHome()])).out);
    const fresh = await run(['trust', 'add', unnamed.publicKey, '--home', home]);
    assert.ok(fresh.out.startsWith(`Trusted device-${unnamed.fingerprint.slice(0, 4).toLowerCase()}\n`), fresh.out);
  });

  test('a corrupt identity file stops the node with a message naming the file, and is left untouched', () => {
    const home = freshHome();
    spawnSync(process.execPath, [CLI, 'id', '--home', home]);
    const file = join(home, 'identity_key');
    writeFileSync(file, '{"version":1,"type":"ed25519","secretKey":"AAAA"}', { mode: 0o600 });
    const before = readFileSync(file);
    const r = spawnSync(process.execPath, [CLI, 'node', 'run', '--home', home, '--port', '0', '--no-discovery'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.match(r.stderr, /IDENTITY_CORRUPT/);
    assert.deepEqual(readFileSync(file), before);
  });
});

describe('real nodes', () => {
  test('two node processes pair over TCP; trust remove on a running node closes the session', async () => {
    const homes = { a: freshHome(), b: freshHome() };
    const ids = {
      a: JSON.parse((await run(['id', '--json', '--home', homes.a])).out),
      b: JSON.parse((await run(['id', '--json', '--home', homes.b])).out),
    };
    await run(['trust', 'add', ids.b.publicKey, '--name', 'bee', '--home', homes.a]);
    await run(['trust', 'add', ids.a.publicKey, '--name', 'ant', '--home', homes.b]);
    const nodes: RunningNode[] = [];
    try {
      const b = await startNode('bee', homes.b);
      nodes.push(b);
      const a = await startNode('ant', homes.a, ['--connect', `127.0.0.1:${b.port}`]);
      nodes.push(a);
      assert.match(await a.waitFor(/session established with bee/), new RegExp(ids.b.fingerprint));
      assert.match(await b.waitFor(/session established with ant/), new RegExp(ids.a.fingerprint));
      // The CLI edits the trust file of the running node b; b applies it and closes the session.
      assert.equal((await run(['trust', 'remove', 'ant', '--home', homes.b])).code, 0);
      await b.waitFor(/session with ant .* closed: trust removed/);
      await a.waitFor(/session with bee .* closed/);
      await a.waitFor(/could not connect to 127\.0\.0\.1:\d+: the peer refused the session/);
    } finally {
      await Promise.all(nodes.map((x) => x.stop()));
    }
  });
});
