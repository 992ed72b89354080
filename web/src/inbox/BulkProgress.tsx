import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { errorMessage } from '../api/client';
import { type BulkJob, bulkEndpoints } from '../api/endpoints';

// A bulk job's progress, polled until it ends; then what failed and why. It floats over the
// page in a React root of its own: the conversations it changes leave the list (the live
// stream removes them), and an emptied list unmounts the bar that started the job, so the
// progress must not live in it.

const POLL_MS = 500;

/** Shows the job's progress until the agent closes it; `onFinished` runs once when the job ends. */
export function showBulkProgress(jobId: number, onFinished: (job: BulkJob) => void): void {
  const host = document.createElement('div');
  host.className = 'bulk-floating';
  document.body.append(host);
  const root = createRoot(host);
  const close = () => {
    root.unmount();
    host.remove();
  };
  root.render(<BulkProgress jobId={jobId} onFinished={onFinished} onClose={close} />);
}

function BulkProgress({ jobId, onFinished, onClose }: { jobId: number; onFinished(job: BulkJob): void; onClose(): void }) {
  const [job, setJob] = useState<BulkJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const finished = useRef(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const next = (await bulkEndpoints.job(jobId, controller.signal)).job;
        setJob(next);
        setError(null);
        if (next.status !== 'running') {
          if (!finished.current) onFinished(next);
          finished.current = true;
          return;
        }
      } catch (caught) {
        if (controller.signal.aborted) return;
        // A dropped poll is retried; the job goes on on the server regardless.
        setError(errorMessage(caught));
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [jobId, onFinished]);

  const processed = job ? job.done + job.failed : 0;
  const state = !job || job.status === 'running' ? 'Working' : job.status === 'cancelled' ? 'Stopped' : 'Done';
  return (
    <section className="bulk-progress" aria-label="Bulk action progress" data-testid="bulk-progress" data-status={job?.status ?? 'starting'}>
      <div className="bulk-row">
        <span role="status">
          {job ? `${state}: ${processed.toLocaleString()} of ${job.total.toLocaleString()}` : 'Starting…'}
          {job && job.failed > 0 ? `, ${job.failed.toLocaleString()} failed` : ''}
        </span>
        {job?.status === 'running' ? (
          <button type="button" className="button" onClick={() => void bulkEndpoints.cancel(jobId).catch(() => undefined)}>
            Stop
          </button>
        ) : null}
        {job && job.status !== 'running' ? (
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        ) : null}
      </div>
      <progress max={Math.max(job?.total ?? 1, 1)} value={processed} aria-label="Conversations done" />
      {error ? <p role="alert">Lost track of the bulk action for a moment: {error}</p> : null}
      {job && job.status !== 'running' && job.failures.length > 0 ? (
        <ul className="bulk-failures" aria-label="What failed">
          {job.failures.map((f) => (
            <li key={f.id}>
              {f.number !== undefined ? `#${f.number}` : `Conversation ${f.id}`}: {f.error}
            </li>
          ))}
          {job.failed > job.failures.length ? <li>…and {(job.failed - job.failures.length).toLocaleString()} more</li> : null}
        </ul>
      ) : null}
    </section>
  );
}
