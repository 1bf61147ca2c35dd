// The engine's events (docs/protocol.md section 10): the parts of a running engine publish here,
// API callers (the control socket, the in-process API) subscribe.

import { EventEmitter } from 'node:events';
import type { EngineEvent } from '../api/types';

export class NodeEvents {
  private readonly emitter = new EventEmitter<{ event: [EngineEvent] }>();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: EngineEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
