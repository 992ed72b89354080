import { useEffect, useRef } from 'preact/hooks';
import type { Chat, ChatState } from '../chat';
import { safeUrl } from '../links';
import type { WidgetConfig } from '../types';
import { Composer } from './Composer';
import { DetailsForm } from './DetailsForm';
import { RatingCard } from './RatingCard';
import { Thread } from './Thread';

type Props = { chat: Chat; state: ChatState; autoFocus: boolean; onClose(): void };

function needsPreChat(config: WidgetConfig, state: ChatState): boolean {
  if (config.preChat === 'off' || state.visitor.email || state.messages.length > 0) return false;
  return config.preChat === 'required' || !state.preChatSkipped;
}

export function Panel({ chat, state, autoFocus, onClose }: Props) {
  const panel = useRef<HTMLElement>(null);
  const { config } = state;
  const view = state.phase === 'failed' ? 'failed' : state.phase !== 'ready' || !config ? 'loading' : needsPreChat(config, state) ? 'details' : 'chat';

  // biome-ignore lint/correctness/useExhaustiveDependencies: view is the trigger: each new view (details form, chat) takes the focus into its first field.
  useEffect(() => {
    if (autoFocus && state.open) panel.current?.querySelector<HTMLElement>('textarea, input:not([type=file]), button')?.focus();
  }, [autoFocus, view, state.open]);

  const helpUrl = config?.helpUrl ? safeUrl(config.helpUrl, chat.origin) : null;
  const team = config?.teamName ?? 'Chat';

  return (
    <section
      id="onethread-panel"
      ref={panel}
      class="panel"
      hidden={!state.open}
      role="dialog"
      aria-label={`Chat with ${team}`}
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
    >
      <header class="header">
        <h2>{team}</h2>
        {config && <p class={config.online ? 'presence online' : 'presence'}>{config.online ? 'Online' : 'Offline'}</p>}
      </header>
      {view === 'loading' && <p class="notice">Connecting…</p>}
      {view === 'failed' && (
        <div class="notice">
          <p role="alert">{state.problem}</p>
          <button type="button" class="secondary" onClick={() => void chat.start()}>
            Try again
          </button>
        </div>
      )}
      {config && (view === 'details' || view === 'chat') && (
        <>
          <Thread state={state} config={config} chat={chat} />
          {state.survey && state.survey.conversationId === state.conversation?.id && (
            <RatingCard key={state.survey.conversationId} chat={chat} survey={state.survey} />
          )}
          {state.problem && (
            <p class="problem" role="alert">
              {state.problem}
            </p>
          )}
          {view === 'details' ? (
            <DetailsForm
              intro={
                config.preChat === 'required' ? 'Before we start, please tell us who you are.' : 'Tell us who you are, so we can reply by email if you leave.'
              }
              askName
              required={config.preChat === 'required'}
              submitLabel="Start chat"
              visitor={state.visitor}
              onSave={chat.saveDetails}
              onSkip={config.preChat === 'optional' ? chat.skipPreChat : undefined}
            />
          ) : (
            <>
              {!config.online &&
                (state.visitor.email ? (
                  <p class="note">We’ll reply to {state.visitor.email}.</p>
                ) : (
                  <DetailsForm
                    intro="Leave your email and we’ll reply there."
                    askName={false}
                    required
                    submitLabel="Save"
                    visitor={state.visitor}
                    onSave={chat.saveDetails}
                  />
                ))}
              <Composer chat={chat} />
            </>
          )}
          <footer class="footer">
            {state.conversation?.handler === 'bot' && (
              <button type="button" class="secondary" onClick={() => void chat.escalate()}>
                Talk to a person
              </button>
            )}
            {helpUrl && (
              <a href={helpUrl} target="_blank" rel="noopener noreferrer">
                Help center
              </a>
            )}
          </footer>
        </>
      )}
    </section>
  );
}
