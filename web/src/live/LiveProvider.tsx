import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { keys } from '../inbox/cache';
import { receiveNotificationFrame, refreshNotifications } from '../inbox/notification-live';
import { applyFrame } from './apply';
import { LiveConnection, type LiveStatus, type PresenceState } from './connection';
import { receivePresence } from './presence';

type Live = {
  status: LiveStatus;
  /** The stream has been live on this page before: a drop now is a reconnect. */
  wasLive: boolean;
  sendPresence(conversationId: number, state: PresenceState): void;
  reconnect(): void;
};

const LiveContext = createContext<Live>({ status: 'connecting', wasLive: false, sendPresence: () => undefined, reconnect: () => undefined });

export const useLive = () => useContext(LiveContext);

/** One live connection for the signed-in agent, feeding the query cache. */
export function LiveProvider({ meId, children }: { meId: number; children: ReactNode }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [wasLive, setWasLive] = useState(false);
  const connection = useRef<LiveConnection | null>(null);

  useEffect(() => {
    const live = new LiveConnection({
      onEvent: (frame) => applyFrame(client, meId, frame),
      onPresence: (frame) => receivePresence(frame, meId),
      onNotification: (frame) => receiveNotificationFrame(client, frame),
      onReady: (first) => {
        setWasLive(true);
        // Notification frames are not replayed: the bell is read afresh.
        refreshNotifications(client);
        // The first time, lists were fetched before the socket joined: anything that
        // happened in between is only in a fresh read. Later resumes replay it instead.
        if (first) {
          void client.invalidateQueries({ queryKey: keys.lists });
          void client.invalidateQueries({ queryKey: keys.counts });
        } else {
          // The replay brought every change. What failed to load while the server was
          // away is read again now, and the counts (a few rows) afresh.
          void client.invalidateQueries({ queryKey: keys.counts });
          void client.refetchQueries({ type: 'active', predicate: (query) => query.state.status === 'error' });
        }
      },
      onStatus: setStatus,
    });
    connection.current = live;
    live.start();
    return () => {
      live.stop();
      connection.current = null;
    };
  }, [client, meId]);

  const sendPresence = useCallback<Live['sendPresence']>((conversationId, state) => connection.current?.send({ type: 'presence', conversationId, state }), []);
  const reconnect = useCallback(() => connection.current?.reconnectNow(), []);
  const value = useMemo<Live>(() => ({ status, wasLive, sendPresence, reconnect }), [status, wasLive, sendPresence, reconnect]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
