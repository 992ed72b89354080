import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { keys } from '../inbox/cache';
import { applyFrame } from './apply';
import { LiveConnection, type LiveStatus, type PresenceState } from './connection';
import { receivePresence } from './presence';

type Live = { status: LiveStatus; sendPresence(conversationId: number, state: PresenceState): void };

const LiveContext = createContext<Live>({ status: 'connecting', sendPresence: () => undefined });

export const useLive = () => useContext(LiveContext);

/** One live connection for the signed-in agent, feeding the query cache. */
export function LiveProvider({ meId, children }: { meId: number; children: ReactNode }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const connection = useRef<LiveConnection | null>(null);

  useEffect(() => {
    const live = new LiveConnection({
      onEvent: (frame) => applyFrame(client, meId, frame),
      onPresence: (frame) => receivePresence(frame, meId),
      onReady: (first) => {
        // The first time, lists were fetched before the socket joined: anything that
        // happened in between is only in a fresh read. Later resumes replay it instead.
        if (first) {
          void client.invalidateQueries({ queryKey: keys.lists });
          void client.invalidateQueries({ queryKey: keys.counts });
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
  const value = useMemo<Live>(() => ({ status, sendPresence }), [status, sendPresence]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
