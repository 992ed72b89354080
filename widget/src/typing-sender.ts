// Tells the team that the visitor is typing without a request per keystroke: "typing" is
// re-sent at most every 3 s while keys are pressed (agents' views expire it after about
// 6 s, like the team's own typing presence), and "stopped" follows 5 s of quiet, an
// emptied composer or a sent message.

const REPEAT_MS = 3000;
const QUIET_MS = 5000;

type TypingSender = { typed(hasText: boolean): void; stop(): void };

export function createTypingSender(post: (typing: boolean) => void): TypingSender {
  let lastSent = 0;
  let quiet: ReturnType<typeof setTimeout> | undefined;

  function stop(): void {
    clearTimeout(quiet);
    if (lastSent === 0) return;
    lastSent = 0;
    post(false);
  }

  return {
    typed(hasText) {
      if (!hasText) return stop();
      const now = Date.now();
      if (now - lastSent >= REPEAT_MS) {
        lastSent = now;
        post(true);
      }
      clearTimeout(quiet);
      quiet = setTimeout(stop, QUIET_MS);
    },
    stop,
  };
}
