// CPU per MiB at each end of a bulk transfer (sender: this process; receiver: a child process read
// through /proc). On a shared machine throughput swings with the load, while the CPU a transfer
// costs each end moves far less: these figures say where a channel is cheaper or dearer.

import { ownCpuUs, processCpuUs } from './proc-cpu';

export interface ChannelFigures {
  readonly mbps: number;
  /** CPU milliseconds per MiB moved: the sending process, the receiving process. */
  readonly senderMsPerMiB: number;
  readonly receiverMsPerMiB: number;
}

/** Starts counting now; the returned function gives the CPU per MiB of `totalBytes` since. */
export function cpuPerMiB(receiverPid: number, totalBytes: number): () => Omit<ChannelFigures, 'mbps'> {
  const sender0 = ownCpuUs();
  const receiver0 = processCpuUs(receiverPid);
  const mib = totalBytes / (1024 * 1024);
  return () => ({
    senderMsPerMiB: (ownCpuUs() - sender0) / 1000 / mib,
    receiverMsPerMiB: (processCpuUs(receiverPid) - receiver0) / 1000 / mib,
  });
}
