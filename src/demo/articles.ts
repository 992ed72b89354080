import { createArticle, createCategory } from '../kb/commands.js';
import { listArticles, listCategories } from '../kb/queries.js';
import type { KbContext } from '../kb/records.js';

// The demo's help center: the articles its conversations and bot chats point to, so the
// help center at /help has something to read and the bot in the chat widget something to
// answer from. Written through the knowledge base's own commands, published.

type DemoArticle = { title: string; category: string; body: string };

export const DEMO_CATEGORIES = [
  { name: 'Account and sign-in', description: 'Passwords, two-factor authentication and getting back into your account.' },
  { name: 'Billing and orders', description: 'Charges, refunds, returns, invoices and your subscription.' },
  { name: 'Devices and the app', description: 'Keeping your Lumen devices online and your automations running.' },
] as const;

type Category = (typeof DEMO_CATEGORIES)[number]['name'];

export const DEMO_ARTICLES: readonly (DemoArticle & { category: Category })[] = [
  {
    title: 'I did not receive the password reset email',
    category: 'Account and sign-in',
    body: `Choose **Forgot password** on the sign-in screen and enter the address of your account; the reset email usually arrives within a minute.

If it does not show up, search your mailbox for "Lumen", including the Promotions, Updates and spam folders: some providers hold mail from new senders for a while.

Each reset link works once and only for 30 minutes. If the link says it has expired, ask for a new one and use only the newest email.`,
  },
  {
    title: 'I lost access to my two-factor authentication',
    category: 'Account and sign-in',
    body: `Got a new phone, or lost the one with your authenticator app? Sign in with one of the recovery codes you saved when you turned two-factor authentication on.

No recovery codes left? Write to us from the address of your account with the serial number of one of your devices (on the back, starting with LU-). Once we have confirmed it is you, we turn two-factor authentication off so you can sign in and set it up again under **Settings → Security**.`,
  },
  {
    title: 'Understanding the charges on your statement',
    category: 'Billing and orders',
    body: `Your subscription is charged once per billing period, on the day you subscribed. The charge shows up as "LUMEN HOME" on your card statement.

Seeing two charges for the same period? A payment retry can occasionally charge twice. Write to us with the last four digits of the card: we refund the duplicate charge, and it is back on your card within 5–10 business days.`,
  },
  {
    title: 'Returns and refunds',
    category: 'Billing and orders',
    body: `You can return any device within 30 days of delivery for a full refund.

Start the return from your order page: it gives you a prepaid return label. Pack the device in its original box if you still have it. The refund goes back to your original payment method within 5–7 business days after the parcel reaches us.`,
  },
  {
    title: 'Cancelling or pausing your subscription',
    category: 'Billing and orders',
    body: `Cancel or pause your subscription under **Settings → Plan**. A cancellation takes effect at the end of the current billing period, and you keep every feature until then. Your devices keep working without a subscription; only history, automations in the cloud and energy reports stop.

Pausing keeps your settings for up to three months without charges.`,
  },
  {
    title: 'Tracking your order',
    category: 'Billing and orders',
    body: `When your order leaves our warehouse we email you a tracking link; it is also on your order page. Tracking can take up to 24 hours to show the first scan.

If the tracking has not changed for five business days, write to us with your order number and we will ask the carrier.`,
  },
  {
    title: 'My device shows "Offline"',
    category: 'Devices and the app',
    body: `A device shows "Offline" in the app, and its light blinks orange, when it lost its Wi-Fi connection. That usually happens after the router was replaced or its Wi-Fi password changed.

To reconnect, hold the button on the back of the device for 5 seconds until the light blinks blue. Then open the app and choose **Devices → your device → Reconnect Wi-Fi**. It takes about a minute.

Sensors and bulbs that pair through the Lumen Hub reconnect on their own once the Hub is online.`,
  },
  {
    title: 'Why did my automation not run?',
    category: 'Devices and the app',
    body: `An automation runs only when every device in it is online and its schedule uses the right time zone. Check both under **Automations → your automation → Details**.

Automations based on sunset or sunrise need your home's location: set it under **Settings → Home**. After a firmware update, open the automation once and save it again.`,
  },
];

/**
 * Adds the demo's categories and published articles, unless the knowledge base has any
 * article or category already: the demo fills an empty help center and never mixes its
 * made-up pages into a real one. Returns how many articles it added.
 */
export async function seedDemoArticles(kb: KbContext, authorId: number | null): Promise<number> {
  const team = { includeDrafts: true };
  if ((await listArticles(kb, { limit: 1 }, team)).items.length > 0 || (await listCategories(kb, team)).length > 0) return 0;
  const categoryIds = new Map<string, number>();
  for (const [position, category] of DEMO_CATEGORIES.entries()) {
    categoryIds.set(category.name, (await createCategory(kb, { name: category.name, description: category.description, position })).id);
  }
  for (const article of DEMO_ARTICLES) {
    await createArticle(kb, authorId, { title: article.title, body: article.body, categoryId: categoryIds.get(article.category)!, status: 'published' });
  }
  return DEMO_ARTICLES.length;
}
