import { render } from 'preact';
import { createChat } from './chat';
import { readEmbedding } from './embedding';
import { mountShadowRoot } from './shadow-host';
import type { Identity } from './types';
import { App } from './ui/App';
import css from './widget.css?inline';

type OnethreadApi = {
  /** Signs the visitor in as the host site's user (after a login in a single-page app). */
  identify(identity: Identity): Promise<void>;
  open(): void;
  close(): void;
};

declare global {
  interface Window {
    Onethread?: OnethreadApi;
  }
}

const embedding = readEmbedding();

// A second copy of the script (a single-page app re-adding the tag) must not add a second widget.
if (embedding && !window.Onethread) {
  const chat = createChat(embedding.origin, embedding);
  window.Onethread = {
    identify: (identity) => chat.identify(identity),
    open: () => chat.setOpen(true),
    close: () => chat.setOpen(false),
  };
  const mount = () => {
    render(<App chat={chat} />, mountShadowRoot(css));
    chat.resume();
  };
  // An async script in <head> can run before <body> exists.
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}
