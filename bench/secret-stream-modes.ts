// The first byte of each message between the secret-stream anchor and its peer.
export const SS_SINK = 0;
export const SS_FIN = 1;
export const SS_READY = 2;
