// The NodeConnection's real dependencies: the SDK client over the control socket and EngineHost (the
// engine in worker threads of this process). No vscode here.

import { readConfigFile } from '../../engine/node/config-file';
import type { EngineOptionsInput } from '../../engine/node/engine-options';
import { MemCloud } from '../../engine/sdk/client';
import { EngineHost } from '../../engine/worker/engine-host';
import type { WorkerUnlock } from '../../engine/worker/worker-messages';
import { randomTakeoverDelay, type NodeConnectionDeps } from './node-connection';
import { engineOptionsFor, type NodeSettings } from '../settings/settings';

const CONNECT_TIMEOUT_MS = 3000;

/**
 * `settings()` is read each time a node starts here, so the latest settings apply; `unlock(home)`
 * gives what opens a protected identity key (extension/identity).
 */
export function realNodeConnectionDeps(
  settings: () => NodeSettings,
  unlock: (home: string) => Promise<WorkerUnlock | undefined> = async () => undefined,
): NodeConnectionDeps {
  return {
    connect: (home) => MemCloud.connect({ home, connectTimeoutMs: CONNECT_TIMEOUT_MS }),
    async startEngine(options, onLog) {
      const given = await unlock(options.home);
      const host = await EngineHost.start(options, { onLog, ...(given ? { unlock: given } : {}) });
      return { stop: (reason) => host.stop(reason), onExit: (listener) => void host.once('exit', listener) };
    },
    async engineOptions(home): Promise<EngineOptionsInput> {
      const current = settings();
      return engineOptionsFor({ ...current, home }, await readConfigFile(home));
    },
    takeoverDelayMs: () => randomTakeoverDelay(),
    retryDelayMs: (attempt) => Math.min(2000, 250 * 2 ** attempt),
  };
}
