// Watches a victim endpoint during an attack: every 'session' event, every consent request, and
// every application message delivered on any of its sessions.

import assert from 'node:assert/strict';
import type { ConsentRequest } from '../../../engine/consent/consent-queue';
import type { Session } from '../../../engine/session/session-manager';
import type { Endpoint } from '../endpoints';

export class VictimWatch {
  readonly sessions: Session[] = [];
  readonly requests: ConsentRequest[] = [];
  readonly messages: Buffer[] = [];
  private readonly onSession = (s: Session) => {
    this.sessions.push(s);
    s.channel.on('message', (m) => this.messages.push(Buffer.from(m)));
  };
  private readonly onRequest = (r: ConsentRequest) => this.requests.push(r);

  constructor(readonly endpoint: Endpoint) {
    endpoint.sessions.on('session', this.onSession);
    endpoint.consent.on('request', this.onRequest);
  }

  /** No session ever opened, no consent was asked, no message delivered, nothing live now. */
  assertUntouched(what: string): void {
    assert.equal(this.sessions.length, 0, `${what}: a session opened on ${this.endpoint.name}`);
    assert.equal(this.requests.length, 0, `${what}: ${this.endpoint.name} was asked for consent`);
    assert.equal(this.messages.length, 0, `${what}: ${this.endpoint.name} received application data`);
    assert.equal(this.endpoint.sessions.sessions().length, 0, `${what}: ${this.endpoint.name} has a live session`);
  }

  stop(): void {
    this.endpoint.sessions.off('session', this.onSession);
    this.endpoint.consent.off('request', this.onRequest);
  }
}
