// Connect, disconnect, and how much RAM a trusted device may use here.

import * as vscode from 'vscode';
import type { PeerInfo } from '../../engine/api/types';
import { delimitedName } from '../../engine/text/display-text';
import { parseSize } from '../../engine/store/sizes';
import { Commands } from '../constants';
import { validateHostPort, validateSize, withDefaultPort } from '../input/validators';
import { requireClient, registerCommand, type Services } from '../services';
import { askText, notify, pick, withNotificationProgress } from '../ui/safe-ui';
import { formatSize } from '../views/format';
import { deviceOf, peerOf } from './targets';

export function registerPeerCommands(context: vscode.ExtensionContext, services: Services): void {
  registerCommand(
    context,
    services,
    Commands.connectPeer,
    (arg?: unknown) => `connect to ${typeof arg === 'string' ? arg : (peerOf(arg)?.name ?? 'the peer')}`,
    async (arg?: unknown, expectedKey?: unknown) => {
      const peer = peerOf(arg);
      const key = typeof expectedKey === 'string' ? expectedKey : peer?.publicKey;
      const address = typeof arg === 'string' ? withDefaultPort(arg) : (peer?.addresses[0] ?? (await askAddress(peer)));
      if (!address) return undefined;
      const invalid = validateHostPort(address);
      if (invalid) throw new Error(invalid);
      const connected = await withNotificationProgress(
        `Connecting to ${peer ? `${peer.fingerprint} ${delimitedName(peer.name)}` : address} (the other device may need to approve)...`,
        false,
        () => requireClient(services).connect(address, key ? { expectedKey: key } : {}),
      );
      services.log.info(`connected to ${connected.name} (${connected.fingerprint}) at ${address}`);
      await services.model.refresh(['peers', 'stats', 'trusted']);
      return connected;
    },
  );

  registerCommand(context, services, Commands.disconnectPeer, 'disconnect', async (arg?: unknown) => {
    const device = deviceOf(arg) ?? (await pickConnected(services));
    if (!device) return undefined;
    await requireClient(services).disconnect(device.query);
    services.log.info(`disconnected from ${device.name}`);
    await services.model.refresh(['peers', 'stats', 'trusted']);
    return true;
  });

  registerCommand(context, services, Commands.updateAllowedMemory, 'change the allowed memory', async (arg?: unknown, size?: unknown) => {
    const device = deviceOf(arg);
    if (!device) throw new Error('pick a trusted device in the Peers or Trusted Devices view');
    const current = peerOf(arg)?.allowedBytes ?? services.model.snapshot.status?.offeredBytes;
    const text =
      typeof size === 'string' || typeof size === 'number'
        ? String(size)
        : await askText({
            title: `RAM ${device.name} may use on this machine`,
            prompt: 'A size such as 512mb or 2gb; applies at once (what it stores beyond is not evicted, new writes are refused)',
            value: current === undefined ? '' : formatSize(current).replace(' ', ''),
            validateInput: (v) => validateSize(v),
          });
    if (text === undefined) return undefined;
    const updated = await requireClient(services).updatePeer(device.query, { allowedBytes: parseSize(text) });
    services.log.info(`${device.name} may now store up to ${formatSize(updated.allowedBytes)} here`);
    await services.model.refresh(['peers', 'trusted']);
    return updated;
  });
}

async function askAddress(peer: PeerInfo | undefined): Promise<string | undefined> {
  const text = await askText({
    title: peer ? `Connect to ${peer.name}` : 'Connect to Peer',
    prompt: 'HOST:PORT of the other MemCloud node (the port defaults to 7797)',
    placeHolder: '192.168.1.20:7797',
    validateInput: (v) => validateHostPort(withDefaultPort(v)),
  });
  return text === undefined ? undefined : withDefaultPort(text);
}

async function pickConnected(services: Services): Promise<{ query: string; name: string } | undefined> {
  const connected = (await requireClient(services).peers()).filter((p) => p.state === 'connected');
  if (connected.length === 0) {
    void notify('info', 'No peer is connected.');
    return undefined;
  }
  const picked = await pick(
    connected.map((p) => ({ label: p.name, description: p.addresses[0] ?? '', detail: `Fingerprint ${p.fingerprint}`, value: p })),
    { placeHolder: 'Disconnect from which peer?' },
  );
  return picked ? { query: picked.publicKey, name: picked.name } : undefined;
}
