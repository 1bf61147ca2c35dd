// What a command was invoked on, by the class of the tree node (no shape sniffing): a peer row, a
// trusted device, a data item, a team and a team member; a value that merely looks like one is
// not taken for a tree node.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TeamInfo } from '../../../engine/team/team-view';
import { dataOf, deviceOf, peerOf, teamOf } from '../../../extension/commands/targets';
import { dataRow } from '../../../extension/views/data-rows';
import { deviceRow } from '../../../extension/views/device-rows';
import { peerRow } from '../../../extension/views/peer-rows';
import { memberRowId } from '../../../extension/views/team-rows';
import { DataNode, DeviceDetailNode, DeviceNode, NodeKinds, PeerNode, TeamMemberNode, TeamNode } from '../../../extension/views/tree-nodes';
import { aDataItem, aPeer, aTrustedDevice } from '../../support/data-model';

const team = { publicKey: 'TEAMKEY', name: 'Lab', fingerprint: 'AAAA-BBBB-CCCC-DDDD', roles: ['administrator'], revoked: [], revocationSerial: 0 } as unknown as TeamInfo;

describe('command targets', () => {
  const peer = aPeer({ publicKey: 'PK-desk', name: 'desk', consentId: 'c-1' });
  const device = aTrustedDevice({ publicKey: 'PK-nas', name: 'nas' });
  const item = aDataItem({ id: 's1', name: 'big.iso' });

  test('each kind of node gives its own value', () => {
    assert.equal(peerOf(new PeerNode(peerRow(peer), peer)), peer);
    assert.deepEqual(deviceOf(new PeerNode(peerRow(peer), peer)), { query: 'PK-desk', name: 'desk' });
    assert.deepEqual(deviceOf(new DeviceNode(deviceRow(device), device)), { query: 'PK-nas', name: 'nas' });
    assert.equal(dataOf(new DataNode(dataRow(item), item)), item);
    assert.equal(teamOf(new TeamNode({ id: 'team:TEAMKEY', label: 'team Lab' }, team)), team);
  });

  test('a node of another kind, or a look-alike value, is no target', () => {
    const device = aTrustedDevice();
    assert.equal(peerOf(new DeviceNode(deviceRow(device), device)), undefined, 'a trusted device is no peer');
    assert.equal(dataOf(new PeerNode(peerRow(peer), peer)), undefined);
    // A detail line under a device names the device, but is not one to act on.
    assert.equal(deviceOf(new DeviceDetailNode({ id: 'device:x:first', label: 'First seen' }, device)), undefined);
    // Plain objects shaped like the engine's values (what shape sniffing used to accept).
    assert.equal(peerOf(peer), undefined);
    assert.equal(dataOf(item), undefined);
    assert.equal(deviceOf({ publicKey: 'PK', name: 'x' }), undefined);
    assert.equal(teamOf(team), undefined);
  });

  test('strings name devices; blank strings and nothing name none', () => {
    assert.deepEqual(deviceOf('  desk '), { query: 'desk', name: 'desk' });
    assert.equal(deviceOf('   '), undefined);
    assert.equal(deviceOf(undefined), undefined);
  });

  test("a team member row carries its key; the row of this device's own certificate none", () => {
    const member = new TeamMemberNode({ id: memberRowId('TEAMKEY', 'PK-m1'), label: 'm1' }, team);
    assert.equal(member.memberKey, 'PK-m1');
    assert.equal(member.value, team);
    assert.equal(new TeamMemberNode({ id: 'team:TEAMKEY:own', label: 'laptop' }, team).memberKey, undefined);
  });

  test('node kinds make their classes, top level and children', () => {
    const top = NodeKinds.team.create({ id: 'team:TEAMKEY', label: 'team Lab' }, team);
    assert.ok(top instanceof TeamNode);
    assert.ok(NodeKinds.team.createChild({ id: memberRowId('TEAMKEY', 'K'), label: 'm' }, team) instanceof TeamMemberNode);
    assert.ok(NodeKinds.device.createChild({ id: 'device:x:first', label: 'First seen' }, device) instanceof DeviceDetailNode);
    assert.equal(NodeKinds.team.made(top), true);
    assert.equal(NodeKinds.peer.made(top), false, 'a node of another kind is not reused for this one');
  });
});
