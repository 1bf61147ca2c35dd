// The build tools' variables in VS Code's integrated terminals (no vscode here; unit-tested): while
// the node's build-cache endpoint listens, every new terminal gets them; when it stops or the node
// goes away they are removed at once (a stale Nx URL fails Nx builds). The collection is never
// persisted: VS Code would otherwise restore yesterday's variables before MemCloud starts.

import type { BuildCacheEnv, BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { EngineApi } from '../../engine/api/engine-api';

/** The part of vscode.EnvironmentVariableCollection used here. */
export interface VariableCollection {
  persistent: boolean;
  description: unknown;
  replace(variable: string, value: string): void;
  clear(): void;
}

export const TERMINAL_DESCRIPTION = 'MemCloud: build caches (Turborepo, Nx, ccache, Gradle) use LAN RAM through the node at ';

export class TerminalVariables {
  /** The URL whose variables are in the collection, or null. */
  private applied: string | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Bumped by clear(): an update still waiting for the node's answer then applies nothing. */
  private generation = 0;

  constructor(private readonly collection: VariableCollection) {
    // Before anything is added (and in case VS Code restored a persisted copy).
    collection.persistent = false;
    collection.clear();
  }

  /** The URL whose variables new terminals get now, or null. */
  get url(): string | null {
    return this.applied;
  }

  /**
   * Brings the collection in line with the endpoint: its variables while `status` says it listens
   * (read from `client`), none otherwise. Calls are applied in order.
   */
  update(client: Pick<EngineApi, 'cacheEnv'> | undefined, status: BuildCacheStatus | undefined): Promise<void> {
    const next = this.queue.then(() => this.apply(client, status));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Removes every variable now (the node went away). */
  clear(): void {
    this.generation++;
    this.applied = null;
    this.collection.clear();
  }

  private async apply(client: Pick<EngineApi, 'cacheEnv'> | undefined, status: BuildCacheStatus | undefined): Promise<void> {
    if (!client || !status?.running || status.url === null) return this.clear();
    if (this.applied === status.url) return;
    const generation = this.generation;
    let env: BuildCacheEnv;
    try {
      env = await client.cacheEnv();
    } catch {
      return this.clear(); // stopped in the meantime
    }
    if (generation !== this.generation) return;
    this.collection.persistent = false;
    this.collection.clear();
    this.collection.description = `${TERMINAL_DESCRIPTION}${env.url}`;
    for (const v of env.vars) this.collection.replace(v.name, v.value);
    this.applied = env.url;
  }
}
