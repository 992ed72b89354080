import { createArticle, createCategory } from '../../src/kb/commands.js';
import type { KbContext } from '../../src/kb/records.js';

// A small help center like a startup's: what the bot tests ask about, and enough
// unrelated articles that a shared word ("account", "order") does not decide alone.

type Seed = { title: string; category: string; body: string; status?: 'published' | 'draft' };

export const ARTICLES: Seed[] = [
  {
    title: 'Resetting your password',
    category: 'Account',
    body: `If you forgot your password, you can reset it yourself.\n\n1. Open the sign-in page and click **Forgot password**.\n2. Enter the email address of your account.\n3. We email you a link that is valid for one hour; open it and choose a new password.\n\nThe link works once. If it expired, ask for a new one.`,
  },
  {
    title: 'Refunds and returns',
    category: 'Billing',
    body: `You can ask for a refund within 30 days of purchase.\n\nTo return an item, pack it in its original box and use the prepaid return label from your order page. Refunds go back to the original payment method within 5–7 business days after we receive the item.\n\nDigital products are refundable only if they were not downloaded.`,
  },
  {
    title: 'Shipping times and countries',
    category: 'Orders',
    body: `We ship to the United States, Canada, the United Kingdom and every country of the European Union.\n\nStandard shipping takes 3–5 business days; express shipping takes 1–2 business days. You get a tracking number by email when your order leaves our warehouse.`,
  },
  {
    title: 'Changing your billing plan',
    category: 'Billing',
    body: `Admins can upgrade or downgrade the plan under **Settings → Billing**.\n\nAn upgrade takes effect at once and is charged pro rata. A downgrade takes effect at the end of the current billing period. Invoices are emailed to the billing contact.`,
  },
  {
    title: 'Exporting your data',
    category: 'Account',
    body: `You can export all your data as CSV files from **Settings → Export**. The export includes contacts, conversations and invoices, and is emailed to you as a download link when it is ready.`,
  },
  {
    title: 'Two-factor authentication',
    category: 'Account',
    body: `Turn on two-factor authentication under **Settings → Security** to protect your account. Scan the QR code with an authenticator app such as Google Authenticator or 1Password, then enter the six-digit code.\n\nIf you lose your phone, use one of the recovery codes you saved when you turned it on.`,
  },
  {
    title: 'Tracking an order',
    category: 'Orders',
    body: `Every order page shows its status. Once your order has shipped, the tracking link on the order page shows where your parcel is.`,
  },
  {
    title: 'Internal: escalation playbook',
    category: 'Account',
    status: 'draft',
    body: `Draft for the team only: how we escalate refund disputes to finance.`,
  },
];

export async function seedKnowledgeBase(kb: KbContext, authorId: number | null = null): Promise<Map<string, number>> {
  const categories = new Map<string, number>();
  const ids = new Map<string, number>();
  for (const seed of ARTICLES) {
    let categoryId = categories.get(seed.category);
    if (categoryId === undefined) {
      categoryId = (await createCategory(kb, { name: seed.category })).id;
      categories.set(seed.category, categoryId);
    }
    const article = await createArticle(kb, authorId, { title: seed.title, body: seed.body, categoryId, status: seed.status ?? 'published' });
    ids.set(seed.title, article.id);
  }
  return ids;
}
