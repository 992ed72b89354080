import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, setCsrfToken } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Me, User } from '../api/types';
import { keys } from '../inbox/cache';
import { forgetPushSubscription } from '../notifications/PushSwitch';

/**
 * Drops every cached answer of the previous user. The session query stays (its value is
 * replaced next): the app's observer of it would not see a recreated one.
 */
export function forgetAllButSession(client: QueryClient): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.me[0] });
}

/** The signed-in user, or null when nobody is. */
export function useSession() {
  return useQuery<Me | null>({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        const me = await endpoints.me();
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    retry: 1,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return async (email: string, password: string): Promise<User> => {
    const signedIn = await endpoints.login(email, password);
    setCsrfToken(signedIn.csrfToken);
    forgetAllButSession(client);
    client.setQueryData<Me>(keys.me, signedIn);
    return signedIn.user;
  };
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      // While still signed in: the server forgets this browser's subscription. A failure
      // must not keep anyone signed in.
      await forgetPushSubscription().catch(() => undefined);
      await endpoints.logout();
    } finally {
      setCsrfToken(null);
      forgetAllButSession(client);
      client.setQueryData(keys.me, null);
    }
  };
}
