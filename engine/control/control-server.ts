// The node's end of the local control socket: listens on the path derived from the home (a Unix
// socket, or a named pipe on Windows), serves any number of clients, each with its own
// ServerConnection, and exposes exactly the EngineApi it was given.

import { createServer, type Server, type Socket } from 'node:net';
import type { EngineApi } from '../api/engine-api';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { describe, errnoCode } from '../home/fs-errors';
import { ServerConnection, type ControlLog } from './server-connection';
import { bindPathFor, prepareSocketPath, removeSocketFile, secureSocketFile, type SocketFileId } from './socket-guard';

export interface ControlServerOptions {
  /** See publishControlEndpoint(home). */
  readonly path: string;
  readonly api: EngineApi;
  readonly log?: ControlLog;
}

export class ControlServer {
  private readonly connections = new Set<ServerConnection>();
  private closing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly server: Server,
    private readonly fileId: SocketFileId | null,
    private readonly api: EngineApi,
    private readonly log: ControlLog | undefined,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => this.log?.('warn', `control socket error: ${err.message}`));
  }

  /**
   * Rejects with NODE_ALREADY_RUNNING when a live node answers on `path`, and with HOME_UNUSABLE
   * when the path is not inside a private directory of ours. A stale socket file is replaced.
   */
  static async listen(opts: ControlServerOptions): Promise<ControlServer> {
    const { path, api, log } = opts;
    await prepareSocketPath(path);
    const server = createServer();
    const fileId = await new Promise<SocketFileId | null>((resolve, reject) => {
      const onError = (err: Error): void => {
        if (errnoCode(err) === 'EADDRINUSE') {
          reject(new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, `a MemCloud node is already running on ${path}`));
        } else {
          reject(new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Control socket ${path} could not be opened (${describe(err)}).`, { cause: err }));
        }
      };
      server.once('error', onError);
      // 'listening' fires before the event loop gets to accept anything (see socket-guard.ts).
      const bound = bindPathFor(path);
      server.listen(bound, () => {
        server.off('error', onError);
        try {
          resolve(secureSocketFile(bound, path));
        } catch (err) {
          server.close();
          if (isMemCloudError(err)) reject(err);
          else reject(new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Control socket ${path} could not be secured (${describe(err)}).`, { cause: err }));
        }
      });
    });
    log?.('debug', `control socket listening on ${path}`);
    return new ControlServer(path, server, fileId, api, log);
  }

  get clientCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, ends every client (their streams are aborted), removes the socket. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private accept(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    const conn = new ServerConnection(socket, this.api, this.log);
    this.connections.add(conn);
    void conn.closed.then(() => this.connections.delete(conn));
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.close()));
    await stopped;
    await removeSocketFile(this.path, this.fileId);
  }
}
