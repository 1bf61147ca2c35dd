// Output whose reader went away (`memcloud pull ID - | head`): not an error worth a message. We exit
// with the status a process killed by SIGPIPE has (128 + 13), as other command-line tools do.

import { errnoCode } from '../home/fs-errors';

export const BROKEN_PIPE_EXIT = 141;

export function isBrokenPipe(err: unknown): boolean {
  return errnoCode(err) === 'EPIPE' || errnoCode(err) === 'ERR_STREAM_DESTROYED';
}
