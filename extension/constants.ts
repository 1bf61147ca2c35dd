// Every id the extension shares with package.json, in one place: commands, views, settings and
// context keys. test/extension/manifest.test.ts checks package.json against these.

export const EXTENSION_ID = 'memcloud.memcloud';
export const OUTPUT_CHANNEL_NAME = 'MemCloud';

export const Commands = {
  trustDevice: 'memcloud.trustDevice',
  revokeTrust: 'memcloud.revokeTrust',
  renameDevice: 'memcloud.renameDevice',
  connectPeer: 'memcloud.connectPeer',
  disconnectPeer: 'memcloud.disconnectPeer',
  updateAllowedMemory: 'memcloud.updateAllowedMemory',
  answerConsent: 'memcloud.answerConsent',
  allowOnce: 'memcloud.allowOnce',
  denyConsent: 'memcloud.denyConsent',
  offload: 'memcloud.offload',
  restore: 'memcloud.restore',
  free: 'memcloud.free',
  showDashboard: 'memcloud.showDashboard',
  startNode: 'memcloud.startNode',
  stopNode: 'memcloud.stopNode',
  copyFingerprint: 'memcloud.copyFingerprint',
  setOfferedMemory: 'memcloud.setOfferedMemory',
  showLog: 'memcloud.showLog',
  refresh: 'memcloud.refresh',
  useBuildCache: 'memcloud.useBuildCache',
  stopBuildCache: 'memcloud.stopBuildCache',
  joinTeam: 'memcloud.joinTeam',
  revokeTeamMember: 'memcloud.revokeTeamMember',
  untrustTeam: 'memcloud.untrustTeam',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

export const VIEW_CONTAINER_ID = 'memcloud';

export const Views = {
  peers: 'memcloud.peers',
  trusted: 'memcloud.trustedDevices',
  data: 'memcloud.offloadedData',
} as const;

/** Setting names under the `memcloud.` section. */
export const SETTINGS_SECTION = 'memcloud';
export const Settings = {
  home: 'home',
  autoStart: 'autoStart',
  nodeName: 'nodeName',
  listenAddress: 'listenAddress',
  port: 'port',
  offeredMemory: 'offeredMemory',
  memoryCap: 'memoryCap',
  discovery: 'discovery',
  replicationFactor: 'replicationFactor',
  consentTimeoutSeconds: 'consentTimeoutSeconds',
  staticPeers: 'staticPeers',
  crypto: 'crypto',
  logLevel: 'logLevel',
  identityKeyStorage: 'identityKeyStorage',
} as const;

export type SettingName = (typeof Settings)[keyof typeof Settings];

export const ContextKeys = {
  /** 'starting' | 'running' | 'stopped' | 'failed' */
  nodeState: 'memcloud.nodeState',
  /** True while this window hosts the node's engine. */
  hostsNode: 'memcloud.hostsNode',
  /** True while the node's build-cache endpoint listens. */
  buildCacheRunning: 'memcloud.buildCacheRunning',
} as const;
