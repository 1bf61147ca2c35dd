// Consent requests from unknown devices as notifications: Allow Once, Trust Always, Deny. No
// answer before expiry is Deny (the engine enforces it); a late click says so. A request whose
// name belongs to a device trusted under another key is shown as a modal warning.

import * as vscode from 'vscode';
import type { ConsentAnswer, ConsentRequestInfo, EngineEvent } from '../../engine/api/types';
import { ErrorCodes, isMemCloudError } from '../../engine/errors';
import { showError } from '../errors/show-error';
import { requireClient, type Services } from '../services';
import { askModal, notify } from '../ui/safe-ui';
import { CONSENT_BUTTONS, answerFor, consentMessage, impostorWarning, lateAnswerMessage, warningDetail, type ConsentOutcome } from './consent-text';

/** Resolved request ids remembered for late clicks; old ones are dropped beyond this. */
const REMEMBERED = 200;

export type AnswerResult = 'answered' | 'late';

export class ConsentPrompt implements vscode.Disposable {
  private readonly requests = new Map<string, ConsentRequestInfo>();
  private readonly outcomes = new Map<string, ConsentOutcome>();
  private readonly shown = new Set<string>();

  constructor(private readonly services: Services) {}

  onEngineEvent(event: EngineEvent): void {
    if (event.type === 'consent-request') void this.show(event.request);
    else if (event.type === 'consent-resolved') this.remember(event.id, event.outcome);
  }

  /** Shows requests that were already waiting when this window attached. */
  async showPending(): Promise<void> {
    const client = this.services.link.client;
    if (!client) return;
    const pending = await client.consentList().catch(() => []);
    for (const req of pending) void this.show(req);
  }

  /** Answers a request: what the notification buttons, tree actions and tests all call. */
  async answer(request: ConsentRequestInfo | string, answer: ConsentAnswer): Promise<AnswerResult> {
    const id = typeof request === 'string' ? request : request.id;
    const req = typeof request === 'string' ? this.requests.get(id) : request;
    const name = req?.name ?? 'that device';
    try {
      await requireClient(this.services).consentAnswer(id, answer);
    } catch (err) {
      if (!isMemCloudError(err, ErrorCodes.CONSENT_NOT_FOUND)) throw err;
      void notify('info', lateAnswerMessage({ name }, this.outcomes.get(id)));
      return 'late';
    }
    const verb = answer === 'deny' ? 'denied' : answer === 'once' ? 'allowed for this session' : 'trusted from now on';
    this.services.log.info(`consent: ${name}${req ? ` (${req.fingerprint})` : ''} ${verb}`);
    this.remember(id, answer);
    await this.services.model.refresh(['peers', 'trusted']);
    return 'answered';
  }

  dispose(): void {
    this.requests.clear();
  }

  private async show(req: ConsentRequestInfo): Promise<void> {
    if (this.shown.has(req.id) || this.outcomes.has(req.id)) return;
    this.shown.add(req.id);
    this.requests.set(req.id, req);
    const allowance = this.services.model.snapshot.status?.offeredBytes;
    const message = consentMessage(req, allowance);
    const warning = impostorWarning(req);
    const titles = CONSENT_BUTTONS.map((b) => b.title);
    this.services.log.info(`consent requested by ${req.name} (${req.fingerprint}) from ${req.address}${warning ? ' — name matches a trusted device with another key' : ''}`);
    let picked: string | undefined;
    if (warning) {
      // Modal text is plain (no links), and the peer's name is in the detail, after both fingerprints.
      picked = await askModal('warning', warning, warningDetail(req, allowance), ...titles);
      // Dismissing the warning is a refusal: this request is suspicious by definition.
      picked ??= 'Deny';
    } else {
      picked = await notify('info', message, ...titles);
      if (picked === undefined) return; // dismissed: the engine denies it at expiry
    }
    try {
      await this.answer(req, answerFor(picked));
    } catch (err) {
      showError(err, `answer ${req.name}'s request`, this.services.log);
    }
  }

  private remember(id: string, outcome: ConsentOutcome): void {
    this.outcomes.set(id, outcome);
    if (this.outcomes.size > REMEMBERED) this.outcomes.delete(this.outcomes.keys().next().value!);
    if (this.requests.size > REMEMBERED) this.requests.delete(this.requests.keys().next().value!);
  }
}
