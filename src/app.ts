import { ensureFirstAdmin } from './accounts/index.js';
import { applyBusinessHoursSetting } from './calendar/index.js';
import { composeApp } from './compose.js';
import type { Config } from './config.js';
import type { InboxContext } from './inbox/context.js';
import type { Store } from './store/database.js';

export type App = {
  store: Store;
  inbox: InboxContext;
  url: string;
  /** What this start has to tell about the first admin (its one-time password), or null: the caller prints it last, so it stays on screen. */
  firstAdminNotice: string | null;
  stop(): Promise<void>;
};

/** Builds the application (src/compose.ts), makes sure it has an admin, then starts serving. */
export async function startApp(config: Config): Promise<App> {
  const app = await composeApp(config);
  let firstAdminNotice: string | null = null;
  try {
    // Before listening, so nobody can reach a server that has no one able to administer it.
    await ensureFirstAdmin(app.accounts, {
      ...config.firstAdmin,
      name: config.firstAdminName,
      url: config.publicUrl,
      log: (message) => (firstAdminNotice = message),
    });
    // BUSINESS_HOURS seeds the stored calendar on a first start only: changes through the API win.
    const calendarNotes = await applyBusinessHoursSetting(app.store, config.businessHours);
    const url = await app.start();
    for (const note of calendarNotes) console.log(note);
    if (app.email?.smtpPort != null) console.log(`Onethread receives mail on SMTP port ${app.email.smtpPort} for ${app.email.support.addresses.join(', ')}`);
    if (config.chat.origins.allowed === 'any')
      console.log('Note: the chat widget accepts every website (WIDGET_ALLOWED_ORIGINS is not set): list your sites before going live.');
    if (!config.email?.smtpUrl) {
      console.log(
        'Note: Onethread sends no mail (set SUPPORT_ADDRESSES and SMTP_URL): replies to email stay in the inbox, and customers cannot finish signing up in the portal, confirm their address or reset a password (the contact form and the widget still work).',
      );
    }
    return { store: app.store, inbox: app.inbox, url, firstAdminNotice, stop: () => app.stop() };
  } catch (error) {
    await app.stop();
    throw error;
  }
}
