// A person's avatar: their initials on a colour of their own (avatar-color.ts); there is no
// upload to store or serve.

import { avatarColor, initials } from './avatar-color';

export { avatarColor, initials };

type Props = { user: { id: number; name: string }; size?: 'small' | 'large'; className?: string };

export function Avatar({ user, size, className }: Props) {
  const colors = avatarColor(user.id);
  return (
    <span
      className={['avatar', size ? `avatar-${size}` : '', className ?? ''].filter(Boolean).join(' ')}
      style={{ background: colors.background, color: colors.color }}
      data-avatar-user={user.id}
      aria-hidden="true"
    >
      {initials(user.name)}
    </span>
  );
}
