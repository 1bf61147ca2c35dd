// Rows of the Trusted Devices view (no vscode; unit-tested): each device with its details as
// children, so first and last seen and the approval are visible without hovering.

import type { ShownFileProblem } from '../../engine/api/file-problems';
import type { TrustedDeviceInfo } from '../../engine/api/types';
import { approvalText, day, formatSize, minute } from './format';
import type { Row } from './rows';

export function deviceContextValue(d: TrustedDeviceInfo): string {
  if (d.status === 'revoked') return 'device:revoked';
  return d.connected ? 'device:trusted:connected' : 'device:trusted';
}

function detail(id: string, label: string, description: string): Row {
  return { id, label, description, contextValue: 'device:detail' };
}

export function deviceRow(d: TrustedDeviceInfo): Row {
  const state = d.status === 'revoked' ? 'revoked' : d.connected ? 'connected' : 'offline';
  const base = `device:${d.publicKey}`;
  return {
    id: base,
    label: d.name,
    description: `${d.fingerprint} · ${state}`,
    tooltip: [
      d.name,
      `Fingerprint: ${d.fingerprint}`,
      `Status: ${d.status}${d.connected ? ', connected' : ''}`,
      `First seen: ${minute(d.firstSeen)}`,
      `Last seen: ${minute(d.lastSeen)}`,
      `Approval: ${approvalText(d.approval)}`,
    ].join('\n'),
    contextValue: deviceContextValue(d),
    icon: d.status === 'revoked' ? { id: 'circle-slash', color: 'errorForeground' } : { id: 'verified', color: d.connected ? 'charts.green' : undefined },
    children: [
      detail(`${base}:first`, 'First seen', day(d.firstSeen)),
      detail(`${base}:last`, 'Last seen', day(d.lastSeen)),
      detail(`${base}:approval`, 'Approved', approvalText(d.approval)),
      detail(`${base}:allowed`, 'May store here', d.allowedBytes === null ? 'the default offer' : formatSize(d.allowedBytes)),
    ],
  };
}

export const TRUST_PROBLEM_ROW_ID = 'trust-file-problem';

/** On top of the list while a trust file is unusable: what is wrong, and a click opens the file. */
export function trustProblemRow(problem: ShownFileProblem): Row {
  return {
    id: problem.kind === 'trust' ? TRUST_PROBLEM_ROW_ID : 'team-file-problem',
    label: problem.title,
    description: problem.effectShort,
    tooltip: `${problem.message}\nThe ${problem.kind === 'trust' ? 'devices' : 'teams'} below are the last valid list. Click to open the file.`,
    contextValue: 'device:problem',
    icon: { id: 'warning', color: 'list.warningForeground' },
    open: problem.path,
  };
}

/** Trusted before revoked; by name within each. */
export function deviceRows(devices: readonly TrustedDeviceInfo[]): Row[] {
  return [...devices]
    .sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'trusted' ? -1 : 1))
    .map(deviceRow);
}
