import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { classifyChange, describeProblems, engineOptionsFor, parseSettings, type NodeSettings } from '../../../extension/settings/settings';

const MiB = 1024 * 1024;
const noEnv = {};

describe('parseSettings', () => {
  test('nothing set: default home, auto-start on, no engine overrides', () => {
    const { settings, problems } = parseSettings({}, noEnv);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { home: join(homedir(), '.memcloud'), autoStart: true, engine: {} });
  });

  test('home: the setting, else $MEMCLOUD_HOME, else ~/.memcloud; ~ expands; blank is unset', () => {
    assert.equal(parseSettings({ home: '/srv/mc' }, { MEMCLOUD_HOME: '/env/mc' }).settings.home, '/srv/mc');
    assert.equal(parseSettings({}, { MEMCLOUD_HOME: '/env/mc' }).settings.home, '/env/mc');
    assert.equal(parseSettings({ home: '  ' }, { MEMCLOUD_HOME: '/env/mc' }).settings.home, '/env/mc');
    assert.equal(parseSettings({ home: '~/mc' }, noEnv).settings.home, join(homedir(), 'mc'));
  });

  test('a relative home is refused with a message naming the setting, and the default applies', () => {
    const { settings, problems } = parseSettings({ home: 'mc' }, noEnv);
    assert.equal(settings.home, join(homedir(), '.memcloud'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.setting, 'home');
    assert.match(describeProblems(problems), /^memcloud\.home must be an absolute path/);
  });

  test('every engine setting maps to its engine option', () => {
    const { settings, problems } = parseSettings(
      {
        nodeName: 'laptop',
        listenAddress: '127.0.0.1',
        port: 0,
        offeredMemory: '512mb',
        memoryCap: '1.5 GiB',
        discovery: false,
        replicationFactor: 3,
        consentTimeoutSeconds: 30,
        staticPeers: ['10.0.0.2:7797', { address: '[fe80::1]:7797' }],
        crypto: 'noble',
        logLevel: 'debug',
        autoStart: false,
      },
      noEnv,
    );
    assert.deepEqual(problems, []);
    assert.equal(settings.autoStart, false);
    assert.deepEqual(settings.engine, {
      name: 'laptop',
      host: '127.0.0.1',
      port: 0,
      offeredBytes: 512 * MiB,
      memoryBytes: 1536 * MiB,
      discovery: false,
      replicas: 3,
      consentTimeoutMs: 30_000,
      connect: [{ address: '10.0.0.2:7797' }, { address: '[fe80::1]:7797' }],
      crypto: 'noble',
      logLevel: 'debug',
    });
  });

  test('blank text settings mean "use the default"', () => {
    const { settings, problems } = parseSettings({ nodeName: '', listenAddress: ' ', offeredMemory: '', memoryCap: '' }, noEnv);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.engine, {});
  });

  test('bad values are each reported and left out; good ones still apply', () => {
    const { settings, problems } = parseSettings(
      {
        port: 70000,
        offeredMemory: '4 gigs',
        memoryCap: '512k',
        replicationFactor: 1.5,
        consentTimeoutSeconds: 0,
        discovery: 'yes',
        listenAddress: 'my-laptop',
        nodeName: 'bell\u0007name',
        staticPeers: ['10.0.0.2'],
        crypto: 'aes',
        logLevel: 'verbose',
        autoStart: 1,
        home: 42,
      },
      noEnv,
    );
    assert.deepEqual(settings.engine, {});
    assert.deepEqual(
      problems.map((p) => p.setting).sort(),
      ['autoStart', 'consentTimeoutSeconds', 'crypto', 'discovery', 'home', 'listenAddress', 'logLevel', 'memoryCap', 'nodeName', 'offeredMemory', 'port', 'replicationFactor', 'staticPeers'],
    );
    const text = describeProblems(problems);
    assert.match(text, /memcloud\.port must be a whole number from 0 to 65535, not 70000/);
    assert.match(text, /memcloud\.offeredMemory invalid size "4 gigs"/);
    assert.match(text, /memcloud\.memoryCap must be at least 1048576 bytes/);
    assert.match(text, /memcloud\.staticPeers entry 1: "10\.0\.0\.2" is not HOST:PORT/);
    assert.match(text, /memcloud\.listenAddress must be an IP address/);
  });

  test('a static peer with a bad public key is refused', () => {
    const { problems } = parseSettings({ staticPeers: [{ address: '10.0.0.2:7797', publicKey: 'nope' }] }, noEnv);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /entry 1: Not a MemCloud public key/);
  });

  test('a memory cap below the offered memory is refused (the offer stays)', () => {
    const { settings, problems } = parseSettings({ offeredMemory: '2gb', memoryCap: '1gb' }, noEnv);
    assert.equal(settings.engine.offeredBytes, 2048 * MiB);
    assert.equal(settings.engine.memoryBytes, undefined);
    assert.equal(problems[0]!.setting, 'memoryCap');
  });
});

describe('engineOptionsFor', () => {
  test('settings override config.json; static peers come from both; home from the settings', () => {
    const settings: NodeSettings = { home: '/h', autoStart: true, engine: { port: 0, connect: [{ address: '10.0.0.3:7797' }] } };
    const options = engineOptionsFor(settings, { port: 8000, name: 'from-file', home: '/elsewhere', connect: [{ address: '10.0.0.2:7797' }] });
    assert.deepEqual(options, { port: 0, name: 'from-file', home: '/h', connect: [{ address: '10.0.0.2:7797' }, { address: '10.0.0.3:7797' }] });
  });
});

describe('classifyChange', () => {
  const base: NodeSettings = { home: '/h', autoStart: true, engine: { offeredBytes: MiB, port: 1 } };
  test('a new home reattaches; the offer applies live; others need a restart; nothing else is none', () => {
    assert.equal(classifyChange(base, { ...base, home: '/other' }), 'reattach');
    assert.equal(classifyChange(base, { ...base, engine: { ...base.engine, offeredBytes: 2 * MiB } }), 'offer-live');
    assert.equal(classifyChange(base, { ...base, engine: { ...base.engine, port: 2 } }), 'restart');
    assert.equal(classifyChange(base, { ...base, engine: { port: 1, offeredBytes: MiB } }), 'none', 'key order does not matter');
    assert.equal(classifyChange(base, { ...base, autoStart: false }), 'none');
  });
  test('going back to the default offer needs a restart (the engine works the default out)', () => {
    assert.equal(classifyChange(base, { ...base, engine: { port: 1 } }), 'restart');
  });
});
