// Noise spec §7 handshake patterns, as data. Each pattern lists the keys each side knows up front
// (pre-messages) and the tokens of each message in order; initiator writes messages 0, 2, 4, ...
// HandshakeState walks this table, so adding a pattern is adding an entry.

/** `psk` (Noise spec §9): MixKeyAndHash(psk); a pattern with it also runs MixKey(e) on each e. */
export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';
export type DhToken = Exclude<Token, 'e' | 's' | 'psk'>;
export type PreMessageToken = 'e' | 's';

export interface HandshakePattern {
  /** The initiator's keys the responder knows before the handshake (the `->` pre-message). */
  readonly initiatorPre: readonly PreMessageToken[];
  /** The responder's keys the initiator knows before the handshake (the `<-` pre-message). */
  readonly responderPre: readonly PreMessageToken[];
  readonly messages: readonly (readonly Token[])[];
}

function pattern(
  initiatorPre: PreMessageToken[],
  responderPre: PreMessageToken[],
  messages: Token[][],
): HandshakePattern {
  return Object.freeze({
    initiatorPre: Object.freeze(initiatorPre),
    responderPre: Object.freeze(responderPre),
    messages: Object.freeze(messages.map((m) => Object.freeze(m))),
  });
}

export const HANDSHAKE_PATTERNS = Object.freeze({
  NN: pattern([], [], [['e'], ['e', 'ee']]),
  NK: pattern([], ['s'], [['e', 'es'], ['e', 'ee']]),
  XX: pattern([], [], [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']]),
  XK: pattern([], ['s'], [['e', 'es'], ['e', 'ee'], ['s', 'se']]),
  IK: pattern([], ['s'], [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']]),
  KK: pattern(['s'], ['s'], [['e', 'es', 'ss'], ['e', 'ee', 'se']]),
  IX: pattern([], [], [['e', 's'], ['e', 'ee', 'se', 's', 'es']]),
  /** Session resumption (docs/protocol.md section 13): both identities are bound by the PSK. */
  NNpsk0: pattern([], [], [['psk', 'e'], ['e', 'ee']]),
} satisfies Record<string, HandshakePattern>);

export type PatternName = keyof typeof HANDSHAKE_PATTERNS;

export function isPatternName(name: string): name is PatternName {
  return Object.hasOwn(HANDSHAKE_PATTERNS, name);
}

/** Whether a party uses its own static key: sent in a message or known to the peer up front. */
export function usesLocalStatic(p: HandshakePattern, initiator: boolean): boolean {
  const pre = initiator ? p.initiatorPre : p.responderPre;
  return pre.includes('s') || p.messages.some((m, i) => (i % 2 === 0) === initiator && m.includes('s'));
}

/** Whether the pattern is a PSK pattern (spec §9.2: its e tokens also MixKey). */
export function usesPsk(p: HandshakePattern): boolean {
  return p.messages.some((m) => m.includes('psk'));
}
