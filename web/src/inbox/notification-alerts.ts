import { useCallback, useState, useSyncExternalStore } from 'react';
import type { Notification as NotificationLine } from '../api/types';
import { currentRoute, inboxRoute, navigate } from '../app/route';
import { openConversation } from '../live/apply';
import { notificationBody, notificationConversation } from './notification-text';

// What a new or folded notification does besides the bell (issue 18): an optional short
// beep, and a browser notification while the tab is open but hidden. Both are this
// browser's choices (a sound setting in localStorage, the site's notification permission),
// not the account's: the account's preferences decide whether a frame comes at all.

const SOUND_KEY = 'onethread.notificationSound';
const SOUND_GAP_MS = 10_000;
let lastBeepAt = -Infinity;
let audio: AudioContext | null = null;

const soundListeners = new Set<() => void>();

function readSound(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false; // storage refused (private mode, a policy): no sound
  }
}

export function setNotificationSound(on: boolean): void {
  try {
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
  } catch {
    // Not kept across reloads then; this page still follows the switch below.
  }
  for (const listener of soundListeners) listener();
  // A click is a user gesture: the one moment a browser lets an AudioContext start.
  if (on) void audioContext()?.resume();
}

/** The sound switch, shared by every bell on the page and kept in localStorage. */
export function useNotificationSound(): [boolean, (on: boolean) => void] {
  const on = useSyncExternalStore((listener) => {
    soundListeners.add(listener);
    return () => soundListeners.delete(listener);
  }, readSound);
  return [on, setNotificationSound];
}

function audioContext(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  audio ??= new AudioContext();
  return audio;
}

/** A short two-tone beep, made on the spot: no sound file to ship or cache. */
function beep(): void {
  const context = audioContext();
  if (!context) return;
  void context.resume().catch(() => undefined);
  const start = context.currentTime;
  const gain = context.createGain();
  gain.connect(context.destination);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.3);
  const tone = context.createOscillator();
  tone.type = 'sine';
  tone.frequency.setValueAtTime(880, start);
  tone.frequency.setValueAtTime(1320, start + 0.12);
  tone.connect(gain);
  tone.start(start);
  tone.stop(start + 0.32);
}

const desktopSupported = () => typeof window.Notification === 'function';

/** The site's permission for browser notifications, and a way to ask for it (from a click). */
export function useDesktopPermission(): { permission: NotificationPermission | 'unsupported'; ask(): void } {
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(() =>
    desktopSupported() ? window.Notification.permission : 'unsupported',
  );
  const ask = useCallback(() => {
    if (!desktopSupported()) return;
    void window.Notification.requestPermission().then(setPermission, () => setPermission(window.Notification.permission));
  }, []);
  return { permission, ask };
}

/**
 * One browser notification per conversation: the tag makes a later one replace it. A click
 * brings this tab forward on that conversation (which reads its notifications there).
 */
function showDesktop(n: NotificationLine): void {
  if (!desktopSupported() || window.Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
  const shown = new window.Notification(notificationConversation(n), { body: notificationBody(n), tag: `conversation-${n.conversation.id}` });
  shown.onclick = () => {
    window.focus();
    navigate({ ...inboxRoute(currentRoute()), conversationId: n.conversation.id });
    shown.close();
  };
}

/** A line was added or another event folded into it. */
export function alertNotification(n: NotificationLine): void {
  // Read already (on another device, before this frame was sent): nothing new to say.
  if (n.readAt !== null) return;
  showDesktop(n);
  // The conversation on screen shows what happened by itself; a hidden tab shows nothing.
  const onScreen = openConversation() === n.conversation.id && document.visibilityState === 'visible';
  if (!readSound() || onScreen || performance.now() - lastBeepAt < SOUND_GAP_MS) return;
  lastBeepAt = performance.now();
  beep();
}
