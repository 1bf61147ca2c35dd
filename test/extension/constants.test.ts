// package.json's contributions against the ids in extension/constants.ts and the context values
// the tree rows produce: a typo on either side would silently hide a command or a menu.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PeerState } from '../../engine/api/types';
import { aDataItem, aPeer, aTrustedDevice } from '../support/data-model';
import { Commands, EXTENSION_ID, Settings, VIEW_CONTAINER_ID, Views } from '../../extension/constants';
import { dataContextValue } from '../../extension/views/data-rows';
import { deviceContextValue } from '../../extension/views/device-rows';
import { peerContextValue } from '../../extension/views/peer-rows';
import type { TeamInfo } from '../../engine/team/team-view';
import { MemberContext, teamContextValue } from '../../extension/views/team-rows';

const ROOT = join(import.meta.dirname, '..', '..');

interface Menu {
  readonly command: string;
  readonly when?: string;
  readonly group?: string;
}
interface Manifest {
  readonly name: string;
  readonly publisher: string;
  readonly main: string;
  readonly icon: string;
  readonly activationEvents: string[];
  readonly contributes: {
    readonly commands: Array<{ command: string; title: string; category: string }>;
    readonly menus: Record<string, Menu[]>;
    readonly viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
    readonly views: Record<string, Array<{ id: string; name: string }>>;
    readonly viewsWelcome: Array<{ view: string; contents: string; when: string }>;
    readonly configuration: { properties: Record<string, { scope?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const c = manifest.contributes;
const contributed = new Set(c.commands.map((x) => x.command));
const TREE_ONLY = [Commands.answerConsent, Commands.allowOnce, Commands.denyConsent, Commands.updateAllowedMemory];

/** Every context value the rows can produce. */
function contextValues(): string[] {
  const states: PeerState[] = ['discovered', 'connecting', 'connected', 'pending-consent', 'disconnected'];
  const peers = states.flatMap((state) => [true, false].map((trusted) => peerContextValue(aPeer({ state, trusted }))));
  const devices = [
    deviceContextValue(aTrustedDevice({ status: 'trusted', connected: true })),
    deviceContextValue(aTrustedDevice({ status: 'trusted', connected: false })),
    deviceContextValue(aTrustedDevice({ status: 'revoked', connected: false })),
  ];
  const data = (['stream', 'key', 'block', 'cache'] as const).flatMap((kind) => [true, false].map((degraded) => dataContextValue(aDataItem({ kind, degraded }))));
  const roles = [['administrator', 'member', 'trusted'], ['member', 'trusted'], ['trusted'], ['member']] as const;
  const teams = [...roles.map((r) => teamContextValue({ roles: [...r] } as unknown as TeamInfo)), ...Object.values(MemberContext)];
  return [...peers, ...devices, ...data, ...teams];
}

describe('package.json contributions match the code', () => {
  test('the extension id and entry point', () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.equal(manifest.main, './dist/extension.js');
  });

  test('every command in constants is contributed once, with category MemCloud, and nothing else is', () => {
    const ids = Object.values(Commands).sort();
    assert.deepEqual([...contributed].sort(), ids);
    assert.equal(c.commands.length, ids.length, 'no duplicates');
    for (const cmd of c.commands) assert.equal(cmd.category, 'MemCloud', cmd.command);
    const titles = c.commands.map((x) => x.title);
    assert.equal(new Set(titles).size, titles.length, 'titles are written once');
  });

  test('the titles the brief names', () => {
    const title = (id: string) => c.commands.find((x) => x.command === id)!.title;
    assert.equal(title(Commands.trustDevice), 'Trust Device');
    assert.equal(title(Commands.connectPeer), 'Connect to Peer...');
    assert.equal(title(Commands.offload), 'Offload File or Folder...');
    assert.equal(title(Commands.showDashboard), 'Show Dashboard');
    assert.equal(title(Commands.useBuildCache), 'Use LAN RAM for Build Caches');
    assert.equal(title(Commands.stopBuildCache), 'Stop Using LAN RAM for Build Caches');
    assert.equal(title(Commands.joinTeam), 'Join Team...');
    assert.equal(title(Commands.revokeTeamMember), 'Revoke Team Member');
  });

  test('tree-only commands are hidden from the palette', () => {
    const palette = new Map(c.menus.commandPalette!.map((m) => [m.command, m.when]));
    for (const id of TREE_ONLY) assert.equal(palette.get(id), 'false', id);
  });

  test('every menu entry names a contributed command, and each item menu can match a real context value', () => {
    const values = contextValues();
    for (const [menu, entries] of Object.entries(c.menus)) {
      for (const m of entries) {
        assert.ok(contributed.has(m.command), `${menu}: ${m.command}`);
        const re = /viewItem =~ \/(.+?)\//.exec(m.when ?? '');
        const eq = /viewItem == ([\w:]+)/.exec(m.when ?? '');
        if (re) assert.ok(values.some((v) => new RegExp(re[1]!).test(v)), `${m.command}: ${m.when} matches no row`);
        if (eq) assert.ok(values.includes(eq[1]!), `${m.command}: ${m.when} matches no row`);
      }
    }
    assert.ok(c.menus['explorer/context']!.some((m) => m.command === Commands.offload), 'offload from the explorer');
  });

  test('the container and its three views; activation on them and at startup', () => {
    const container = c.viewsContainers.activitybar.find((x) => x.id === VIEW_CONTAINER_ID)!;
    assert.equal(container.title, 'MemCloud');
    assert.ok(existsSync(join(ROOT, container.icon)), container.icon);
    assert.deepEqual(
      c.views[VIEW_CONTAINER_ID]!.map((v) => v.id),
      [Views.peers, Views.trusted, Views.data],
    );
    assert.ok(manifest.activationEvents.includes('onStartupFinished'));
    for (const view of Object.values(Views)) assert.ok(manifest.activationEvents.includes(`onView:${view}`), view);
  });

  test('welcome content links only to contributed commands', () => {
    for (const w of c.viewsWelcome) {
      for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(contributed.has(id!), `${w.view}: ${id}`);
    }
    assert.ok(c.viewsWelcome.some((w) => w.view === Views.peers && w.when === 'memcloud.nodeState == running' && w.contents.includes('command:memcloud.trustDevice')));
  });

  test('every setting in constants is declared, and only those; node settings are machine-scoped', () => {
    const declared = Object.keys(c.configuration.properties).sort();
    assert.deepEqual(declared, Object.values(Settings).map((s) => `memcloud.${s}`).sort());
    for (const [key, prop] of Object.entries(c.configuration.properties)) {
      if (key !== 'memcloud.autoStart') assert.equal(prop.scope, 'machine', key);
    }
  });

  test('the marketplace icon is a PNG', () => {
    const png = readFileSync(join(ROOT, manifest.icon));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
  });
});
