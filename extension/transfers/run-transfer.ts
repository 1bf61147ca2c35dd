// Runs an offload or restore under a cancellable progress notification. The engine reports
// progress per transfer id; Cancel asks it to cancelTransfer, which leaves nothing half-stored.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { EngineEvent } from '../../engine/api/types';
import { requireClient, type Services } from '../services';
import { withNotificationProgress } from '../ui/safe-ui';
import { ProgressTracker } from './progress-tracker';
import { listen } from '../lifecycle/disposable';

const CANCEL_RETRY_MS = 200;

/**
 * `start(transferId)` begins the transfer with that id. Resolves with its result; rejects with
 * the engine's error (CANCELLED after Cancel). `cancel` lets a programmatic caller cancel too.
 */
export function runTransfer<T>(services: Services, title: string, start: (transferId: string) => Promise<T>, cancel?: vscode.CancellationToken): Promise<T> {
  const client = requireClient(services);
  return Promise.resolve(
    withNotificationProgress(title, true, async (progress, token) => {
      const transferId = randomBytes(8).toString('hex');
      const tracker = new ProgressTracker();
      const onEvent = (e: EngineEvent) => {
        if (e.type === 'progress' && e.progress.transferId === transferId) progress.report(tracker.update(e.progress));
      };
      const events = listen(services.link, 'event', onEvent);
      let settled = false;
      const onCancel = () => {
        services.log.info(`${title}: cancel requested`);
        void cancelUntilSettled();
      };
      const cancelling = [token.onCancellationRequested(onCancel), ...(cancel ? [cancel.onCancellationRequested(onCancel)] : [])];
      // The engine may not know the id yet if Cancel comes very early: retry until it does or the transfer ends.
      const cancelUntilSettled = async () => {
        while (!settled) {
          try {
            await client.cancelTransfer(transferId);
            return;
          } catch {
            await new Promise((r) => setTimeout(r, CANCEL_RETRY_MS));
          }
        }
      };
      try {
        return await start(transferId);
      } finally {
        settled = true;
        for (const c of cancelling) c.dispose();
        events.dispose();
      }
    }),
  );
}
