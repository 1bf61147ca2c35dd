// The MemCloud SDK: a typed client for a running node (over its local control socket).

export { MemCloud, type ConnectOptions } from './client';
export { StoreWriteStream, LoadReadStream } from './node-streams';
export { MemCloudError, ErrorCodes, isMemCloudError, type ErrorCode } from '../errors';
export { controlEndpoint, controlSocketPath } from '../control/socket-path';
export type * from '../api/types';
export type { EngineApi, WriteStreamHandle, ReadStreamHandle, FileTransferOptions } from '../api/engine-api';
