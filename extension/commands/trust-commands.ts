// Trust Device, Revoke Trust, Rename: who may connect to this machine.

import * as vscode from 'vscode';
import type { PeerInfo, TrustedDeviceInfo } from '../../engine/api/types';
import { delimitedName } from '../../engine/text/display-text';
import { Commands } from '../constants';
import { canonicalPublicKey, validateName } from '../input/validators';
import { requireClient, registerCommand, type Services } from '../services';
import { deviceOf } from './targets';
import { DeviceNode, PeerNode } from '../views/tree-nodes';
import { askModal, askText, createPick, notify, pick, type PickEntry } from '../ui/safe-ui';
import { pastedKeyCandidate, trustCandidates, type TrustCandidate } from './trust-candidates';

export function registerTrustCommands(context: vscode.ExtensionContext, services: Services): void {
  registerCommand(context, services, Commands.trustDevice, 'trust the device', async (arg?: unknown, name?: unknown) => {
    const target = trustTarget(arg, name) ?? (await pickDeviceToTrust(services));
    if (!target) return undefined;
    const device = await requireClient(services).trustAdd(target.publicKey, { ...(target.name ? { name: target.name } : {}), approval: 'extension' });
    services.log.info(`trusted ${device.name} (${device.fingerprint})`);
    await services.model.refresh(['trusted', 'peers']);
    const peer = services.model.snapshot.peers.find((p) => p.publicKey === device.publicKey);
    const message = `Trusted device ${device.fingerprint} ${delimitedName(device.name)}.`;
    if (peer?.state === 'discovered' && peer.addresses.length > 0 && typeof arg !== 'string') {
      void notify('info', message, 'Connect').then((picked) => picked && vscode.commands.executeCommand(Commands.connectPeer, peer.addresses[0], device.publicKey));
    } else {
      void notify('info', message);
    }
    return device;
  });

  registerCommand(context, services, Commands.revokeTrust, 'revoke the device', async (arg?: unknown) => {
    const device = deviceOf(arg) ?? (await pickTrusted(services, 'Revoke which device? Its sessions close at once.'));
    if (!device) return undefined;
    if (typeof arg !== 'string') {
      const ok = await askModal(
        'warning',
        `Revoke ${delimitedName(device.name)}?`,
        'Its sessions close at once, what it stored here is dropped, and it is refused from now on.',
        'Revoke',
      );
      if (ok !== 'Revoke') return undefined;
    }
    const revoked = await requireClient(services).trustRemove(device.query);
    services.log.info(`revoked ${revoked.name} (${revoked.fingerprint})`);
    await services.model.refresh(['trusted', 'peers', 'stats']);
    return revoked;
  });

  registerCommand(context, services, Commands.renameDevice, 'rename the device', async (arg?: unknown, newName?: unknown) => {
    const device = deviceOf(arg) ?? (await pickTrusted(services, 'Rename which device?'));
    if (!device) return undefined;
    const name =
      typeof newName === 'string'
        ? newName
        : await askText({ title: `Rename ${device.name}`, value: device.name, prompt: 'The name shown for this device on this machine', validateInput: validateName });
    if (name === undefined) return undefined;
    const renamed = await requireClient(services).trustRename(device.query, name);
    await services.model.refresh(['trusted', 'peers']);
    return renamed;
  });
}

/** A tree node (peer, or revoked device to trust again), a key with an optional name, or { publicKey, name }. */
function trustTarget(arg: unknown, name: unknown): { publicKey: string; name?: string } | undefined {
  if (arg instanceof PeerNode || arg instanceof DeviceNode) return { publicKey: arg.value.publicKey, name: arg.value.name };
  if (typeof arg === 'string') return { publicKey: arg, ...(typeof name === 'string' && name.trim() !== '' ? { name } : {}) };
  if (typeof arg === 'object' && arg !== null && typeof (arg as { publicKey?: unknown }).publicKey === 'string') {
    const given = arg as { publicKey: string; name?: unknown };
    return { publicKey: given.publicKey, ...(typeof given.name === 'string' ? { name: given.name } : {}) };
  }
  return undefined;
}

function toEntry(c: TrustCandidate, alwaysShow = false): PickEntry<TrustCandidate> {
  return { icon: c.icon, label: c.label, description: c.description, detail: c.detail, alwaysShow, value: c };
}

/** Discovered and pending devices with full fingerprints; a pasted key works too. */
async function pickDeviceToTrust(services: Services): Promise<{ publicKey: string; name?: string } | undefined> {
  await services.model.refresh(['peers', 'status']);
  const peers: readonly PeerInfo[] = services.model.snapshot.peers;
  const ownKey = services.model.snapshot.status?.publicKey;
  const listed = trustCandidates(peers).map((c) => toEntry(c));
  const picker = createPick<TrustCandidate>();
  picker.title = 'Trust Device';
  picker.placeholder = listed.length > 0 ? 'Pick a device (compare its fingerprint with its owner), or paste its public key' : 'Paste the public key that `memcloud id` prints on the other device';
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.setEntries(listed);
  picker.onDidChangeValue((value) => {
    const pasted = pastedKeyCandidate(value, peers, ownKey);
    picker.setEntries(pasted ? [toEntry(pasted, true), ...listed] : listed);
  });
  const chosen = await new Promise<TrustCandidate | undefined>((resolve) => {
    picker.onDidAccept(() => {
      const c = picker.selectedItems[0]?.value;
      if (c?.publicKey === undefined) return; // an explanation entry: keep the picker open
      resolve(c);
      picker.hide();
    });
    picker.onDidHide(() => resolve(undefined));
    picker.show();
  });
  picker.dispose();
  if (!chosen?.publicKey) return undefined;
  if (chosen.name) return { publicKey: chosen.publicKey, name: chosen.name };
  const name = await askText({
    title: 'Name for the new device',
    prompt: 'Shown in MemCloud on this machine; leave empty for a name from its fingerprint',
    validateInput: (v) => (v === '' ? undefined : validateName(v)),
  });
  if (name === undefined) return undefined;
  const publicKey = canonicalPublicKey(chosen.publicKey) ?? chosen.publicKey;
  return name === '' ? { publicKey } : { publicKey, name };
}

async function pickTrusted(services: Services, placeHolder: string): Promise<{ query: string; name: string } | undefined> {
  const devices: TrustedDeviceInfo[] = (await requireClient(services).trustList()).filter((d) => d.status === 'trusted');
  if (devices.length === 0) {
    void notify('info', 'No device is trusted yet.');
    return undefined;
  }
  const picked = await pick(
    devices.map((d) => ({ label: d.name, description: d.connected ? 'connected' : '', detail: `Fingerprint ${d.fingerprint}`, value: d })),
    { placeHolder, matchOnDetail: true },
  );
  return picked ? { query: picked.publicKey, name: picked.name } : undefined;
}
