import type { Channel, ConversationType, Priority } from '../store/schema.js';
import type { Random } from './random.js';

// The hand-written threads the demo inbox is made of. The demo company, Lumen, sells smart
// home devices with an app, subscriptions and an API, so one inbox holds password resets,
// billing, bugs, shipping, developers and sales leads. Texts carry no greeting or
// signature: the planner adds those per channel (an email signs off, a chat does not).
// `{name}` placeholders are filled per conversation, so 200 threads from 16 scenarios
// differ in people, products, numbers and length.

export type Who = 'customer' | 'agent' | 'note';

/** One message of the thread; one of `text` is picked. */
export type Turn = { by: Who; text: readonly string[] };

export type Vars = Record<string, string>;

export type Scenario = {
  key: string;
  type: ConversationType;
  /** How common the scenario is, relative to the others. */
  weight: number;
  channels: Readonly<Partial<Record<Channel, number>>>;
  priorities: Readonly<Partial<Record<Priority, number>>>;
  tags: readonly string[];
  subjects: readonly string[];
  /** The help-centre article the chat bot suggests first. */
  article: string;
  /** The first message as typed into the chat widget, shorter than an email. */
  chatOpening?: readonly string[];
  /** An agent writes first (a follow-up to a trial): email only, and never without the customer's reply. */
  agentFirst?: boolean;
  /** Customer and agent alternate; notes go anywhere after the first message. */
  turns: readonly Turn[];
  /** Values only this scenario's texts use. */
  vars?: (random: Random, shared: Vars) => Vars;
};

const customer = (...text: string[]): Turn => ({ by: 'customer', text });
const agent = (...text: string[]): Turn => ({ by: 'agent', text });
const note = (...text: string[]): Turn => ({ by: 'note', text });

const FEATURES = [
  {
    ask: 'a dark mode for the web dashboard',
    why: 'I use it on a wall tablet in the hallway and the white screen lights up the whole corridor at night',
    area: 'dashboard',
  },
  { ask: 'schedules that follow sunset and sunrise', why: 'right now I have to change the porch light times every couple of weeks', area: 'schedules' },
  { ask: 'a CSV export of the energy reports', why: "I'd like to compare our usage with the utility bill in a spreadsheet", area: 'energy' },
  {
    ask: 'more than one home under one account',
    why: 'we have a holiday cottage with its own Hub, and logging out and in every time is a pain',
    area: 'accounts',
  },
  { ask: 'Matter support for the Lumen Hub', why: "the rest of our house is moving to Matter and I'd rather not keep a second app", area: 'integrations' },
  { ask: 'a vacation mode that switches lights on and off at random', why: 'the fixed schedule makes it obvious nobody is home', area: 'automations' },
];

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'password-reset',
    type: 'support',
    weight: 12,
    channels: { ticket: 3, email: 3, chatbot: 3 },
    priorities: { normal: 8, high: 2 },
    tags: ['account', 'login'],
    subjects: [
      'Password reset email never arrives',
      "Can't log in – no reset email",
      'Forgot my password, reset link not coming through',
      'Locked out of my account',
    ],
    article: 'I did not receive the password reset email',
    chatOpening: ["hi, I can't log in and the password reset email never comes", 'Reset password email not arriving. Tried 3 times'],
    turns: [
      customer(
        "I'm trying to reset my password, but the reset email never arrives. I've checked my spam folder and requested it three times now. My login is this address.",
        "I can't log in to the Lumen app. I used 'Forgot password' twice and got nothing. Is something wrong with my account?",
      ),
      agent(
        "Sorry about that! I can see the reset requests on your account, and our mail provider reports them as delivered. Some providers hold mail from new senders for a while — could you check folders like 'Updates' or 'Promotions' and search for 'Lumen'?",
        "Sorry for the trouble. Our logs show the reset emails left our side a few minutes after each request. Could you search your mailbox for 'Lumen' — including the Promotions or Other tab — and let me know if anything turns up?",
      ),
      note(
        'Mail log: the resets were deferred by the recipient server (421 "try again later"), then delivered. Nothing wrong on our side.',
        'Checked Postmark: all reset emails delivered, the last one opened once. Probably landed in a tab.',
      ),
      customer(
        'Found them, they were under Promotions. But the link says it has expired.',
        'Found it in another folder. When I click the link it says "link expired" though.',
      ),
      agent(
        "Reset links are valid for 30 minutes, so the older ones won't work anymore. I've just sent you a fresh one — please use only the newest email.",
        "That's because each link works for 30 minutes only. I've sent a new one just now; it should arrive within a minute. Use that one and you'll be set.",
      ),
      customer("That worked, I'm back in. Thank you!", 'All good now, logged in. Thanks for the help!'),
      agent('Great to hear! To keep our emails out of the Promotions tab in future, add no-reply@lumen.example to your contacts. Have a good day, {first}.'),
    ],
  },
  {
    key: 'double-charge',
    type: 'support',
    weight: 10,
    channels: { email: 5, ticket: 3, chatbot: 1 },
    priorities: { normal: 6, high: 3 },
    tags: ['billing'],
    subjects: ['Charged twice this month', 'Duplicate charge on my card', 'Double payment for {plan} subscription', 'Why was I billed twice?'],
    article: 'Understanding the charges on your statement',
    chatOpening: ['I was charged twice for my subscription this month', 'Hi, there are two charges of {planPrice} on my card from you'],
    turns: [
      customer(
        'I was charged {planPrice} twice for my {plan} subscription this month — both charges are on my card ending in {last4}. Please refund the duplicate.',
        'My bank statement shows two payments of {planPrice} to Lumen on the same day, card ending {last4}. I only have one {plan} subscription. Can you check?',
      ),
      agent(
        "Thanks for flagging this, and sorry for the trouble. I'm looking into the payment records now and will get back to you shortly.",
        "Sorry about that — I'm checking your payment history right now and will update you as soon as I know what happened.",
      ),
      note(
        'Two captures in Stripe four minutes apart; the second came from a retry after a gateway timeout. Refunding the second one. Engineering is aware of the retry bug (BILL-212).',
        'Confirmed duplicate capture (payment retry after timeout). Refund issued, linked to BILL-212.',
      ),
      agent(
        "I found it: our payment system retried a charge that had already gone through. I've refunded the duplicate {planPrice} to your card ending in {last4}. Depending on your bank, it shows up within 5–10 business days.",
        'Found the cause — a payment retry on our side charged you a second time. The extra {planPrice} is refunded to the card ending {last4} and should appear within 5–10 business days.',
      ),
      customer('Thanks. Will this happen again next month?', 'OK, thank you. How do I know it won’t happen again at the next renewal?'),
      agent(
        "It shouldn't — the retry issue is fixed, and I've added a note to your account so we double-check your next renewal. If anything looks odd, just reply here.",
      ),
      customer('Perfect, thanks for sorting it out so quickly.', 'Great, appreciate the quick help.'),
    ],
  },
  {
    key: 'app-crash',
    type: 'support',
    weight: 9,
    channels: { ticket: 5, email: 2, chatbot: 1 },
    priorities: { normal: 3, high: 5, urgent: 2 },
    tags: ['bug', 'mobile-app'],
    subjects: ['App crashes when I open the Energy tab', 'Lumen app {version} keeps crashing', 'Crash on {os} – Energy screen', 'Energy tab closes the app'],
    article: 'The app closes unexpectedly',
    chatOpening: ['The app crashes every time I open Energy on my {product}', 'hey, app {version} crashes on the energy tab'],
    turns: [
      customer(
        "The Lumen app crashes every time I open the Energy tab.\n\nSteps to reproduce:\n1. Open the app ({version}) on {os}\n2. Go to Home → {product}\n3. Tap 'Energy'\n4. The screen freezes for a second, then the app closes\n\nReinstalling didn't help. Everything else works.",
        'Since the last update the app closes as soon as I tap Energy on my {product}.\n\n- App version {version}\n- {os}\n- Happens every time, also after a restart of the phone\n\nThe other tabs are fine.',
      ),
      agent(
        'Thanks for the detailed steps, that helps a lot. Roughly how many devices are in your home, and does the crash also happen on the Energy tab of your other devices?',
        'Thank you for the clear report. Does the same happen on the Energy tab of other devices, or only on the {product}? And roughly how long have you had it?',
      ),
      customer(
        '{devices} devices. It only happens on the {product}; the other Energy tabs open fine.',
        'Only on the {product}. We have {devices} devices in total and had the {product} for about a year.',
      ),
      note(
        'Reproduced on staging with a {product} that has over 90 days of history: the chart crashes on a day without samples (power cut). Filed as APP-{bug}.',
        'Repro OK. Null day in the energy series → chart crash. APP-{bug}, mobile team has a fix in review.',
      ),
      agent(
        'I could reproduce it: the chart fails when a day in your history has no readings, for example after a power cut. Our mobile team has a fix in review for the next release. Until then, the same data is on the web dashboard under Devices → {product} → Energy.',
        'We found the bug — a day without readings in the history (after a power cut, say) breaks the chart. A fix is on its way in the next app release; meanwhile the web dashboard shows the same numbers under Devices → {product} → Energy.',
      ),
      customer(
        'OK, the web dashboard works. Let me know when the update is out.',
        'Web dashboard works for now, thanks. Please let me know when the fix ships.',
      ),
      agent('Will do. Version {nextVersion} is rolling out now — once you have updated, the Energy tab should open normally. Let me know if it does not!'),
      customer('Updated to {nextVersion} and it works. Thanks!'),
    ],
    vars: (random) => ({ devices: String(random.int(6, 34)), bug: String(random.int(1200, 1900)) }),
  },
  {
    key: 'automation-stopped',
    type: 'support',
    weight: 6,
    channels: { ticket: 3, email: 2, chatbot: 2 },
    priorities: { normal: 6, high: 2 },
    tags: ['bug', 'automations'],
    subjects: ["'Good night' automation stopped working", 'Automation not running since last week', 'Lights no longer switch off at night'],
    article: 'Why did my automation not run?',
    chatOpening: ['My good night automation has not run for 3 nights', 'automation stopped working, nothing changed on my side'],
    turns: [
      customer(
        "My 'Good night' automation stopped working. It should turn off all the lights at 23:00 and lock the front door, but for the last three nights nothing happened. Nothing changed on my end.",
      ),
      agent(
        "Sorry to hear that. I checked your automation log: the rule was triggered but skipped, because the condition 'Everyone at home' couldn't be evaluated. Did anyone in your household recently remove the Lumen app or turn off location sharing?",
      ),
      customer(
        'My partner got a new phone last week and hasn’t set up the app again. Could that be it?',
        'Hmm, my son switched phones recently. Would that matter?',
      ),
      agent(
        "That's exactly it — the automation waits for every household member's location, and the old phone no longer reports one. Remove the old phone under Settings → Household → Devices, or change the condition to 'Anyone at home'.",
      ),
      note('Third report this month of a stale household phone silently blocking a rule. Added to AUT-88 (warn when a condition cannot be evaluated).'),
      customer('Removed the old phone and it ran tonight. Thanks!'),
      agent("Glad it's sorted! We're also changing the app so a missing phone can't silently block a rule — thanks for helping us find that."),
    ],
  },
  {
    key: 'feature-request',
    type: 'general',
    weight: 8,
    channels: { ticket: 2, email: 2, chatbot: 2 },
    priorities: { low: 7, normal: 3 },
    tags: ['feature-request'],
    subjects: ['Feature request: {ask}', 'Suggestion – {ask}', 'Any plans for {ask}?'],
    article: 'How we decide what to build next',
    chatOpening: ['Any plans for {ask}?', 'Hi! Is {ask} on the roadmap?'],
    turns: [
      customer(
        'Would you consider adding {ask}? {Why}. Otherwise I really like the product.',
        'Small wish: {ask}. {Why}. Is that something you are working on?',
      ),
      agent(
        "Thanks for the suggestion! I can see why that would help. I've passed it on to our product team together with your use case. I can't promise a date, but requests like this are exactly what they use to decide what comes next.",
      ),
      note("Logged on the feature board: +1 for '{ask}' ({votes} votes now)."),
      customer('Thanks. Is there a public roadmap I can follow?', 'Good to know. Where can I see if it gets built?'),
      agent(
        "We don't publish a full roadmap, but every new feature is announced in the monthly changelog at lumen.example/changelog. I've also subscribed to your request, so I'll let you know personally if it ships.",
      ),
      customer('Sounds good, thank you.'),
    ],
    vars: (random) => {
      const feature = random.pick(FEATURES);
      return { ask: feature.ask, Why: feature.why[0]!.toUpperCase() + feature.why.slice(1), area: feature.area, votes: String(random.int(4, 140)) };
    },
  },
  {
    key: 'shipping-delay',
    type: 'support',
    weight: 10,
    channels: { email: 4, chatbot: 3, ticket: 1 },
    priorities: { normal: 6, high: 3 },
    tags: ['shipping', 'order'],
    subjects: ['Where is my order {order}?', 'Order {order} not delivered yet', 'Tracking not updating for {order}', 'Delivery delayed'],
    article: 'Tracking your order',
    chatOpening: ['Where is my order {order}? Tracking has not moved for days', 'hi, my {product} still has not arrived ({order})'],
    turns: [
      customer(
        "I ordered a {product} ({order}) {days} days ago, and the tracking hasn't updated since it left your warehouse. Can you tell me where it is?",
        'My order {order} was supposed to arrive on Monday. The tracking page has said "in transit" for {days} days. What is going on?',
      ),
      agent(
        "Thanks for your patience. I checked with {carrier}: your parcel ({tracking}) is at their sorting centre in {city}. There's a backlog there this week, which is why the tracking hasn't moved. They expect it to go out for delivery within 2–3 business days.",
      ),
      customer(
        "That's annoying, it was meant to be a gift for this weekend. Is there any way to speed it up?",
        'It is a birthday present for Saturday… anything you can do?',
      ),
      note('{carrier} confirmed the backlog at the {city} hub. Ops approved a free express replacement if not delivered by Friday.'),
      agent(
        "I understand, and I'm sorry. If it hasn't arrived by Friday, I'll send a replacement by express at no cost, and you can simply refuse the first parcel. I'll keep an eye on the tracking and update you.",
      ),
      customer('It just arrived! Thanks for keeping an eye on it.', 'Delivered this morning, just in time. Thank you!'),
      agent('Wonderful — enjoy the {product}, and I hope the gift goes down well!'),
    ],
    vars: (random) => ({
      days: String(random.int(5, 12)),
      carrier: random.pick(['UPS', 'DHL', 'FedEx', 'DPD']),
      tracking: `1Z${random.int(100, 999)}E${random.int(10_000_000, 99_999_999)}`,
      city: random.pick(['Leipzig', 'Louisville', 'Chicago', 'Rotterdam', 'Lyon', 'Manchester', 'Dallas']),
    }),
  },
  {
    key: 'api-rate-limit',
    type: 'support',
    weight: 6,
    channels: { email: 3, ticket: 3 },
    priorities: { normal: 3, high: 5, urgent: 2 },
    tags: ['api', 'developer'],
    subjects: ['HTTP 429 from {endpoint}', 'API rate limit errors during nightly sync', 'Too Many Requests although we are under the limit'],
    article: 'API rate limits',
    turns: [
      customer(
        "We're integrating the Lumen API at {company} and keep getting HTTP 429 responses from {endpoint} during our nightly sync — around {failures} failed calls a night. The docs say the limit is {rpm} requests per minute, and on average we're well below that. What are we missing?",
      ),
      agent(
        'Thanks for the details. The {rpm}/minute limit is per API key, but it is enforced in 10-second windows: more than {burst} requests within 10 seconds get a 429 even when the minute average is fine. Your logs show bursts of several hundred requests right at 02:00.',
      ),
      customer('That explains it — all our workers start at the same time. Is there a header that tells us how long to wait?'),
      note('{company} is on the Business plan. If batching is not enough we can raise them to {rpmHigh}/min — needs a sign-off from the platform team.'),
      agent(
        'Yes: every response carries X-RateLimit-Remaining, and a 429 comes with Retry-After in seconds. Back off by that value (plus a little jitter) and stagger the workers, and the 429s should disappear. For bulk reads, GET /v2/devices/state?ids= takes up to 100 ids per call, which cuts the number of requests a lot.',
      ),
      customer('We switched to the batch endpoint and handle Retry-After now. Last night: zero 429s. Thanks for the quick and precise answer!'),
      agent('Excellent, thanks for letting us know! If your volume grows and you need a higher limit, just reply here and we will look at it.'),
    ],
    vars: (random) => ({
      endpoint: random.pick(['/v2/devices/state', '/v2/energy/readings', '/v2/events']),
      failures: String(random.int(3, 40) * 10),
      rpm: '600',
      burst: '100',
      rpmHigh: random.pick(['1,200', '2,000']),
    }),
  },
  {
    key: 'refund',
    type: 'support',
    weight: 7,
    channels: { email: 3, ticket: 2, chatbot: 1 },
    priorities: { normal: 8, low: 2 },
    tags: ['refund', 'returns'],
    subjects: ['Return and refund for order {order}', 'I would like to return my {product}', 'Refund request – {order}'],
    article: 'Returns and refunds',
    chatOpening: ['How do I return my {product}? Order {order}', "I'd like to send back a {product} I bought last week"],
    turns: [
      customer(
        "I'd like to return the {product} I bought last week (order {order}). It works fine, but it doesn't fit our setup. How do I get a refund?",
        "The {product} from order {order} isn't what we need after all. Can I send it back for a refund?",
      ),
      agent(
        "No problem — you're well within the 30-day return window. I've created a prepaid return label for order {order}; it will reach you by email in a few minutes. Please pack the device in its original box if you still have it.",
      ),
      customer('Got the label, thanks. How long does the refund take once you receive it?'),
      agent(
        'We check returns within 2 business days of arrival, and the refund of {price} goes back to your original payment method straight after. I will confirm here as soon as it is done.',
      ),
      customer('Dropped it off at the post office today.', 'Parcel is on its way back to you.'),
      note('Return received at the warehouse, item in good condition. Refund of {price} issued.'),
      agent('Your return arrived, and I have just issued the refund of {price}. Thanks for giving the {product} a try!'),
      customer('Received it, thank you for making this easy.'),
    ],
  },
  {
    key: 'onboarding',
    type: 'general',
    weight: 6,
    channels: { email: 2, chatbot: 2, ticket: 1 },
    priorities: { normal: 8, low: 2 },
    tags: ['onboarding'],
    subjects: ['Setting up {company} on the {plan} plan', 'Adding colleagues to our account', 'Getting started – member permissions'],
    article: 'Inviting members to your home or office',
    chatOpening: ['We just signed up for {plan} – how do I add my colleagues?', 'Hi, setting up our office account. Question about permissions'],
    turns: [
      customer(
        "We just signed up for the {plan} plan for our office ({seats} people) and I'm setting things up. What's the best way to add my colleagues so they can control the meeting room lights but not change the automations?",
      ),
      agent(
        "Welcome aboard! The easiest way is to invite them under Settings → Members with the role 'Member': members can use devices and scenes, but only admins can edit automations. You can invite everyone at once by pasting a list of addresses.",
      ),
      customer('Great. Can I limit some people to just the meeting rooms?'),
      agent(
        "Yes — create a 'Meeting rooms' group under Settings → Rooms & groups, then set 'Access: selected groups' in each member's profile. People with limited access only see those rooms in their app.",
      ),
      customer('Done, that works well. Is there any training material for the team?'),
      agent(
        'We run a 20-minute onboarding webinar every Tuesday and Thursday — sign up at lumen.example/webinars. I have also sent you our one-page quick start guide, which many offices print out and pin up.',
      ),
      customer('Perfect, thank you for the help getting started.'),
    ],
  },
  {
    key: 'device-offline',
    type: 'support',
    weight: 9,
    channels: { chatbot: 4, ticket: 2, email: 1 },
    priorities: { normal: 6, high: 3 },
    tags: ['hardware', 'wifi'],
    subjects: ['{product} shows offline', '{product} blinking orange, not connecting', 'Device keeps going offline'],
    article: 'My device shows "Offline"',
    chatOpening: ['my {product} says offline since this morning', 'Device offline, light blinking orange'],
    turns: [
      customer("My {product} has shown 'Offline' in the app since this morning. The light on the device is blinking orange."),
      agent(
        'A blinking orange light means the device lost its Wi-Fi connection. Did anything change with your router today — a new password, a firmware update or a new router?',
      ),
      customer('Our internet provider replaced the router yesterday. Same network name, but I think the password is different.'),
      agent(
        'That explains it. The {product} needs the new password: hold the button on the back for 5 seconds until the light blinks blue, then open the app and choose Devices → {product} → Reconnect Wi-Fi. It takes about a minute.',
      ),
      customer("It's back online. Do I have to do this for every device?"),
      agent(
        'Only for devices that connect to Wi-Fi directly. Sensors and bulbs that pair through the Lumen Hub reconnect on their own once the Hub is online.',
      ),
      customer('Great, everything is working again. Thanks!'),
    ],
  },
  {
    key: 'volume-pricing',
    type: 'sales',
    weight: 6,
    channels: { chatbot: 3, email: 3 },
    priorities: { normal: 5, high: 4 },
    tags: ['pricing', 'lead'],
    subjects: ['Volume pricing for {units} apartments', 'Quote request – {company}', 'Lumen for property management'],
    article: 'Lumen for businesses',
    chatOpening: ['Do you offer volume pricing? We manage about {units} apartments', 'Hi, looking for a quote for {units} units'],
    turns: [
      customer(
        "We're a property management company ({company}) looking at Lumen for about {units} apartments. Do you offer volume pricing for the {product}, and can we manage all units from one account?",
      ),
      agent(
        'Thanks for reaching out! Yes — from 50 units we offer volume pricing, and the Business plan lets you manage every property from one portal, with per-unit access for tenants. Could you tell me a bit about your timeline and which devices you are considering?',
      ),
      customer("We'd like to start with a pilot in one building ({pilot} units) next quarter: a {product} and two smart plugs per unit."),
      note('Qualified lead: {units} units, pilot of {pilot}. Sent to sales for a custom quote; pilot pricing at 15% off approved.'),
      agent(
        'That sounds like a great pilot. I have prepared a quote for {pilot} units at 15% pilot pricing, which carries over if you roll out to the whole portfolio. Would you have 30 minutes this week for a call with our property team?',
      ),
      customer('Thursday afternoon works for us.'),
      agent('Booked for Thursday at 15:00 — a calendar invite is on its way. Talk soon!'),
    ],
    vars: (random) => {
      const units = random.int(8, 60) * 10;
      return { units: String(units), pilot: String(random.int(12, 40)) };
    },
  },
  {
    key: 'invoice-details',
    type: 'general',
    weight: 5,
    channels: { email: 5, ticket: 2 },
    priorities: { low: 5, normal: 5 },
    tags: ['billing', 'invoice'],
    subjects: ['Invoice {invoice} – company details missing', 'Please add our VAT number to {invoice}', 'Reissue invoice with company name'],
    article: 'Adding company details to your invoices',
    turns: [
      customer(
        'Could you reissue invoice {invoice} with our company name and VAT number? Our accounting department cannot process it without them.\n\n{company}\nVAT: {vat}',
      ),
      agent(
        "Of course. I've added {company} and the VAT number to your billing profile and reissued {invoice}; the updated PDF is under Settings → Billing → Invoices. Future invoices will include these details automatically.",
      ),
      customer('Thanks! Could you also send the invoices for the previous three months with the same details?'),
      agent('Done — the three previous invoices have been regenerated with your company details. You will find them in the same place.'),
      customer('Received, all good. Thanks for the quick turnaround.'),
    ],
    vars: (random) => ({ vat: `${random.pick(['DE', 'NL', 'FR', 'IE', 'SE'])}${random.int(100_000_000, 999_999_999)}` }),
  },
  {
    key: 'cancellation',
    type: 'sales',
    weight: 5,
    channels: { email: 4, ticket: 2, chatbot: 1 },
    priorities: { high: 6, normal: 4 },
    tags: ['cancellation', 'churn-risk'],
    subjects: ['Cancel my subscription', 'Please cancel {plan} at the end of the period', 'Cancellation request'],
    article: 'Cancelling or pausing your subscription',
    chatOpening: ['How do I cancel my subscription?', 'I want to cancel my {plan} plan'],
    turns: [
      customer(
        "Please cancel my {plan} subscription at the end of the current billing period. We're moving to a rental and won't be using the devices for a while.",
      ),
      agent(
        "I'm sorry to see you go, and thanks for telling us why. Before I cancel: you can also pause the subscription for up to 6 months at no cost. Your automations and device settings are kept, and you pick up where you left off after the move. Would that suit you better?",
      ),
      customer("Oh, I didn't know pausing was possible. Yes, let's do that instead — 6 months please."),
      note('Cancellation turned into a 6-month pause. Retention offer accepted.'),
      agent(
        "Done! Your subscription is paused until the end of {resumeMonth}, and you won't be charged in the meantime. We'll remind you a week before it resumes, and you can resume early at any time under Settings → Billing.",
      ),
      customer('Great, thanks for the flexibility.'),
    ],
  },
  {
    key: 'installer-program',
    type: 'sales',
    weight: 3,
    channels: { email: 5, ticket: 1 },
    priorities: { low: 5, normal: 5 },
    tags: ['partner', 'lead'],
    subjects: ['Reseller / installer program?', 'Becoming a Lumen installer', 'Partnership enquiry from {company}'],
    article: 'The Lumen Certified Installer program',
    turns: [
      customer(
        'I run a small electrical installation business ({company}) and we would like to offer Lumen products to our customers. Do you have a reseller or installer program?',
      ),
      agent(
        'Thanks for your interest! Yes, our Certified Installer program gives you trade pricing, a dedicated partner line and a listing in our installer directory. The main requirement is a short online certification; I have sent you the program overview.',
      ),
      customer('Thanks, that looks good. How long does the certification take, and is there a cost?'),
      agent(
        'It takes about three hours online at your own pace and is free for the first two technicians. Once you are certified, your first order gets 10% on top of the trade discount.',
      ),
      customer("Great, I've signed up two of our technicians."),
      agent("Perfect — I'll keep an eye out for their certificates and set up your trade account as soon as they pass."),
    ],
  },
  {
    key: 'trial-follow-up',
    type: 'sales',
    weight: 3,
    channels: { email: 1 },
    priorities: { normal: 8, low: 2 },
    tags: ['trial', 'lead'],
    subjects: ['Your Lumen {plan} trial', 'How is your trial going?'],
    article: 'Trials',
    agentFirst: true,
    turns: [
      agent(
        "I noticed your team's {plan} trial ends in three days. How has it gone so far? If there's anything you haven't had time to try — automations, the energy reports or multi-site management — I'm happy to give you a quick walkthrough.",
      ),
      customer("Thanks for checking in. The trial has gone well, but we haven't managed to test the energy reports yet. Could we extend the trial by a week?"),
      agent(
        "Absolutely — I've extended your trial by 7 days. I'd suggest starting with Reports → Energy → 'Compare sites', which most teams find the most useful.",
      ),
      customer("Thanks! We'll try it this week and get back to you."),
      agent('Sounds good. I will check in at the end of next week.'),
    ],
  },
  {
    key: 'lost-2fa',
    type: 'support',
    weight: 4,
    channels: { email: 3, ticket: 2, chatbot: 1 },
    priorities: { high: 6, urgent: 2, normal: 2 },
    tags: ['account', 'security'],
    subjects: ['Lost my phone – cannot sign in (2FA)', 'Locked out by two-factor authentication', 'New phone, authenticator codes gone'],
    article: 'I lost access to my two-factor authentication',
    chatOpening: ['Lost my phone and my 2FA codes, how do I get back in?', 'locked out because of two-factor, new phone'],
    turns: [
      customer(
        "I got a new phone and lost access to my authenticator app, so I can't sign in to Lumen anymore. I still have access to this email address. How can I get back in?",
      ),
      agent(
        "We can help with that. For security I first need to confirm it's you: could you reply with the serial number of one of your devices (on the back, starting with LU-) and roughly when you placed your last order?",
      ),
      customer('The serial is {serial}, and I ordered the {product} about two months ago.'),
      note('Serial and order date match the account. Identity verified, 2FA reset approved.'),
      agent(
        "Thanks, that matches our records. I've turned off two-factor authentication on your account. Please sign in and set it up again right away under Settings → Security — and keep the backup codes somewhere safe this time.",
      ),
      customer("I'm in, and 2FA is back on. Thanks a lot!"),
    ],
    vars: (random) => ({ serial: `LU-${random.int(10, 99)}${String.fromCharCode(65 + random.int(0, 25))}-${random.int(100_000, 999_999)}` }),
  },
];

// What the chat widget's bot says. It answers first, with an article; the visitor is then
// either helped, or handed over to the team.
export const BOT_NAME = 'Lumen Assistant';

export const BOT_ANSWERS = [
  'Hi! I’m the Lumen Assistant. This article might help: “{article}” — https://lumen.example/help. Did that answer your question?',
  'Thanks for your message! Here’s a help article that covers this: “{article}”. Does it solve your problem?',
];
export const VISITOR_WANTS_HUMAN = [
  'No, I’d like to talk to a person.',
  'Not really. Can I speak to someone?',
  'That doesn’t cover my problem. Is there a human around?',
  'no, agent please',
];
export const BOT_HANDOVERS = [
  'No problem — I’m connecting you with our support team. Someone will be with you in a few minutes.',
  'Sure! I’m handing you over to a teammate. The current wait is under 5 minutes.',
];
export const VISITOR_HELPED = ['Yes, that did it, thanks!', 'Oh, that worked. Thank you!', 'Perfect, found it in the article.'];
export const BOT_GOODBYES = ['Glad I could help! Have a great day.', 'Happy to help — enjoy your evening!'];

/** Fills `{placeholders}`; a missing value is a mistake in a template, not something to print. */
export function fill(template: string, vars: Vars): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`demo template uses {${key}}, which has no value: ${template.slice(0, 60)}`);
    return value;
  });
}
