import { useEffect, useState } from 'preact/hooks';
import type { Chat, ChatState } from '../chat';

export function useChatState(chat: Chat): ChatState {
  const [state, setState] = useState(chat.getState());
  useEffect(() => {
    // A change between the first render and this subscription would otherwise be missed.
    setState(chat.getState());
    return chat.subscribe(() => setState(chat.getState()));
  }, [chat]);
  return state;
}
