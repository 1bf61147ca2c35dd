// Entry point of the engine worker thread (bundled as dist/engine-worker.js). Starts the engine
// with the options in workerData, reports readiness and logs, and stops gracefully on request.

import { parentPort, workerData } from 'node:worker_threads';
import { toErrorPayload } from '../errors';
import { Engine } from '../node/engine';
import { resolveEngineOptions } from '../node/engine-options';
import { Logger } from '../log/log';
import { fixedSecret, type IdentityUnlock } from '../identity/identity-unlock';
import { defaultStores, withPreloaded } from '../identity/stores/store-registry';
import { parseHostToWorker, type EngineWorkerData, type WorkerToHost } from './worker-messages';

const port = parentPort;
if (!port) throw new Error('engine-worker.js must run as a worker thread');

function post(message: WorkerToHost): void {
  port!.postMessage(message);
}

async function main(): Promise<void> {
  const data = workerData as EngineWorkerData;
  const options = resolveEngineOptions(data.options);
  const log = new Logger(options.logLevel);
  log.addSink((entry) => post({ type: 'log', entry }));
  const given = data.unlock;
  const unlock: IdentityUnlock = {
    ...(given?.secret ? { secret: fixedSecret(given.secret) } : {}),
    stores: withPreloaded(defaultStores(process.env), given?.preloaded),
  };
  let engine: Engine;
  try {
    engine = await Engine.start(options, log, unlock);
  } finally {
    given?.secret?.fill(0);
    given?.preloaded?.secret.fill(0);
  }
  engine.onStopped(() => {
    post({ type: 'stopped' });
    port!.close();
  });
  port!.on('message', (raw: unknown) => {
    const msg = parseHostToWorker(raw);
    switch (msg.type) {
      case 'stop':
        void engine.stop(msg.reason);
        return;
    }
  });
  const { host, port: tcpPort } = engine.address();
  post({
    type: 'ready',
    info: {
      name: options.name,
      publicKey: engine.identity.publicKeyText,
      fingerprint: engine.identity.fingerprint,
      host,
      port: tcpPort,
      crypto: engine.backend,
      controlSocket: engine.controlSocket,
    },
  });
}

main().catch((err: unknown) => {
  post({ type: 'fatal', error: toErrorPayload(err) });
  port.close();
});
