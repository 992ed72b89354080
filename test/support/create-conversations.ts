// Plays one app instance: opens the configured store and creates conversations at once,
// printing the numbers it got. Tests start several of these side by side.

import { loadConfig } from '../../src/config.js';
import { EventBus } from '../../src/inbox/bus.js';
import { createConversation } from '../../src/inbox/commands.js';
import { createInboxContext } from '../../src/inbox/context.js';
import { openStore } from '../../src/store/database.js';

const count = Number(process.argv[2] ?? 20);
const store = openStore(loadConfig());
const ctx = createInboxContext({ store, bus: new EventBus() });
const created = await Promise.all(
  Array.from({ length: count }, (_, i) =>
    createConversation(ctx, {
      from: { customerEmail: `instance${process.pid}-${i % 5}@example.test` },
      channel: 'email',
      subject: `From ${process.pid}`,
      body: `#${i}`,
    }),
  ),
);
console.log(JSON.stringify(created.map((c) => c.conversation.number)));
await store.close();
