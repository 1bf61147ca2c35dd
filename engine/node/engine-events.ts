// Turns what happens inside the engine into EngineEvents for subscribers (CLI, SDK, VS Code) and
// log lines. Returns the unwiring function.

import type { Cluster } from '../cluster/cluster';
import type { HolderService } from '../cluster/holder-service';
import type { ConsentQueue, ConsentRequest, ConsentResolved } from '../consent/consent-queue';
import type { Catalog } from '../data/catalog';
import type { MemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { Session, SessionManager } from '../session/session-manager';
import type { TrustStore } from '../trust/trust-store';
import { formatSize } from '../store/sizes';
import type { NodeEvents } from '../service/node-events';
import { consentInfo, fingerprintOf } from '../service/peer-view';

/** Where events come from, and where they go. */
export interface EventSources {
  readonly sessions: SessionManager;
  readonly consent: ConsentQueue;
  readonly trust: TrustStore;
  readonly cluster: Cluster;
  readonly holder: HolderService;
  readonly catalog: Catalog;
  readonly events: Pick<NodeEvents, 'publish'>;
  readonly log: Logger;
}

/** data-changed fires on every write; subscribers get it at most this often. */
const DATA_EVENT_INTERVAL_MS = 250;

export function wireEvents(src: EventSources): () => void {
  const { sessions, consent, trust, cluster, holder, catalog, events, log } = src;

  const onSession = (s: Session) => {
    log.info(`session established with ${s.remote.name} (${s.fingerprint}) at ${s.address}, ${s.direction}, ${s.admission}${s.resumed ? ', resumed' : ''}`);
  };
  const onSessionClosed = (s: Session, err: MemCloudError | null) => {
    log.info(`session with ${s.remote.name} (${s.fingerprint}) closed${err ? `: ${err.message}` : ''}`);
    events.publish({ type: 'peers-changed' });
  };
  const onConsent = (r: ConsentRequest) => {
    log.info(`consent needed: ${r.name} (${r.fingerprint}) at ${r.address} wants to connect; request ${r.id}`);
    events.publish({ type: 'consent-request', request: consentInfo(r) });
    events.publish({ type: 'peers-changed' });
  };
  const onResolved = (x: ConsentResolved) => {
    log.info(`consent request ${x.request.id} from ${x.request.name}: ${x.outcome}`);
    events.publish({ type: 'consent-resolved', id: x.request.id, outcome: x.outcome });
    events.publish({ type: 'peers-changed' });
  };
  const onPeers = () => events.publish({ type: 'peers-changed' });
  let pending: NodeJS.Timeout | null = null;
  const onData = () => {
    pending ??= setTimeout(() => {
      pending = null;
      events.publish({ type: 'data-changed' });
    }, DATA_EVENT_INTERVAL_MS).unref();
  };

  sessions.on('session', onSession);
  sessions.on('session-closed', onSessionClosed);
  consent.on('request', onConsent);
  consent.on('resolved', onResolved);
  cluster.on('peers-changed', onPeers);
  catalog.on('data-changed', onData);
  const offTrust = trust.onChange((change) => {
    // The one path for every way trust ends (API, CLI, an edit of the file): the device's blocks go.
    if (change.kind === 'revoked' || change.kind === 'forgotten') {
      const dropped = holder.dropOwner(change.publicKey);
      const n = dropped.blocks;
      if (n > 0) log.info(`dropped the ${n} block${n === 1 ? '' : 's'} (${formatSize(dropped.bytes)}) device ${fingerprintOf(change.publicKey)} stored here: it is ${change.kind}`);
    }
    events.publish({ type: 'trust-changed' });
    if (change.kind !== 'updated') events.publish({ type: 'peers-changed' });
  });
  const offProblem = trust.onProblemChange((problem) => {
    if (problem) log.error(`${problem.message} Until then no new session is admitted; live sessions go on.`);
    else log.info(`the trust file ${trust.path} is valid again: new sessions are admitted`);
    events.publish({ type: 'trust-changed' });
  });
  if (trust.problem) log.error(`${trust.problem.message} Until then no new session is admitted.`);
  const offLog = log.addSink((entry) => events.publish({ type: 'log', entry }));

  return () => {
    if (pending) clearTimeout(pending);
    sessions.off('session', onSession);
    sessions.off('session-closed', onSessionClosed);
    consent.off('request', onConsent);
    consent.off('resolved', onResolved);
    cluster.off('peers-changed', onPeers);
    catalog.off('data-changed', onData);
    offTrust();
    offProblem();
    offLog();
  };
}
