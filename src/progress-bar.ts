import cliProgress from 'cli-progress';

// Progress of long command-line work (a reports rebuild, an import): a bar with rate and
// ETA on a terminal, a plain line every few seconds otherwise (a log, CI), on stderr so
// stdout stays the command's result.

export type ProgressBar = { update(done: number, total: number, extra?: string): void; stop(): void };

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}{extra}`,
      noTTYOutput: !stream.isTTY,
      notTTYSchedule: 5000,
      hideCursor: stream.isTTY ?? false,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  const values = (done: number, extra?: string) => ({
    rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)),
    extra: extra ? ` | ${extra}` : '',
  });
  return {
    update(done, total, extra) {
      if (!running) {
        bar.start(total, done, values(done, extra));
        running = true;
        return;
      }
      bar.setTotal(total);
      bar.update(done, values(done, extra));
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
