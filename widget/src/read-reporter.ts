// Tells the server how far the visitor has read: the newest message of the team's or the
// bot's that was on screen. A reply read here is then not mailed to them as well (the
// server mails a chat reply only while it is unread). One request after a short quiet, not
// one per message scrolled past; a report that failed goes again with the next sighting or
// when the live stream reconnects.

const QUIET_MS = 250;

export type ReadReporter = {
  /** Message `id` was on screen. */
  saw(id: number): void;
  /** Sends what the server has not acknowledged yet (after a reconnect). */
  retry(): void;
};

export function createReadReporter(send: (upTo: number) => Promise<unknown>): ReadReporter {
  let seen = 0;
  let acknowledged = 0;
  let sending = false;
  let quiet: ReturnType<typeof setTimeout> | undefined;

  function schedule(): void {
    clearTimeout(quiet);
    quiet = setTimeout(() => void flush(), QUIET_MS);
  }

  async function flush(): Promise<void> {
    if (sending || seen <= acknowledged) return;
    sending = true;
    const upTo = seen;
    try {
      await send(upTo);
      acknowledged = Math.max(acknowledged, upTo);
    } catch {
      // Kept: retried with the next sighting or reconnect, never in a loop of its own.
    } finally {
      sending = false;
    }
    // Something newer came into view while this one was on its way.
    if (seen > upTo) schedule();
  }

  return {
    saw(id) {
      if (id <= seen) return;
      seen = id;
      schedule();
    },
    retry() {
      if (seen > acknowledged) schedule();
    },
  };
}
