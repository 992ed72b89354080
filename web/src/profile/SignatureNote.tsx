import type { User } from '../api/types';
import { follow } from '../inbox/Sidebar';

// Under the reply box: the signature the server appends when the reply is mailed, so the
// agent does not type it again, and where to change it.

export function SignatureNote({ me }: { me: User }) {
  if (!me.signature) return null;
  return (
    <div className="composer-signature" data-testid="composer-signature">
      <span className="composer-signature-label">
        Mailed replies end with your signature ·{' '}
        <a href="/profile" onClick={(event) => follow(event, { page: 'profile' })}>
          Edit
        </a>
      </span>
      <pre>{me.signature}</pre>
    </div>
  );
}
