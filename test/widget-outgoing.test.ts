import { describe, expect, it } from 'vitest';
import { markEchoed, type Outgoing } from '../widget/src/messages.js';
import type { Message } from '../widget/src/types.js';

const message = (body: string, attachments = 0): Message => ({
  id: 7,
  body,
  sender: { type: 'customer', name: 'You' },
  attachments: Array.from({ length: attachments }, (_, id) => ({ id, name: 'a.png', contentType: 'image/png', size: 1, url: '/a' })),
  sentAt: 0,
});
const item = (key: number, body: string, extra: Partial<Outgoing> = {}): Outgoing => ({ key, requestId: `r${key}`, body, files: [], failed: false, ...extra });

describe("the widget's unsent messages", () => {
  it('hide the oldest in-flight item the live stream already delivered, so the visitor never sees their message twice', () => {
    const outgoing = [item(1, 'Hello'), item(2, 'Is the shop open on Sunday?'), item(3, 'Is the shop open on Sunday?')];
    const after = markEchoed(outgoing, message('Is the shop open on Sunday?'));
    expect(after.map((each) => Boolean(each.echoed))).toEqual([false, true, false]);
  });

  it('leave a failed item, a different text or a different number of files alone', () => {
    const outgoing = [item(1, 'Hi', { failed: true }), item(2, 'Hi there'), item(3, 'Hi', { files: [new File(['x'], 'x.txt')] })];
    expect(markEchoed(outgoing, message('Hi'))).toBe(outgoing);
  });
});
