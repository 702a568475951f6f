import { LIMITS } from "../../../../shared/protocol";

export type TypingThrottle = {
  /** The text box holds text and changed: `typing: true`, at most once per throttle window. */
  typed: () => void;
  /** Sent, blurred or emptied: `typing: false`, once, and only after a `typing: true`. */
  stopped: () => void;
};

/** The typist's side of the typing signal; the peer expires a `true` after 6 s, so renewals keep it alive. */
export function createTypingThrottle(
  emit: (typing: boolean) => void,
  throttleMs: number = LIMITS.typingClientThrottleMs,
): TypingThrottle {
  let lastTypingAt: number | null = null;
  return {
    typed() {
      const now = Date.now();
      if (lastTypingAt !== null && now - lastTypingAt < throttleMs) return;
      lastTypingAt = now;
      emit(true);
    },
    stopped() {
      if (lastTypingAt === null) return;
      lastTypingAt = null;
      emit(false);
    },
  };
}
