import type { Random } from './random.js';

// The demo's people. Every address is on a domain reserved for examples (RFC 2606 and
// RFC 6761: example.com/.net/.org, *.example, *.test), so no reply an agent sends from the
// demo inbox can ever reach a real mailbox once the email channel delivers mail.

export const DEMO_DOMAIN = 'demo.onethread.test';
export const DEMO_PASSWORD = 'onethread-demo';

export type DemoAgent = { name: string; email: string /** Share of the conversations they handle. */; weight: number };

export const DEMO_AGENTS: readonly DemoAgent[] = [
  { name: 'Maya Okafor', email: `maya.okafor@${DEMO_DOMAIN}`, weight: 4 },
  { name: 'Jonas Lindqvist', email: `jonas.lindqvist@${DEMO_DOMAIN}`, weight: 3.5 },
  { name: 'Priya Raman', email: `priya.raman@${DEMO_DOMAIN}`, weight: 2.5 },
];

export type DemoCustomer = { first: string; last: string; name: string; email: string; company: string };

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Sofia',
  'Mateo',
  'Amara',
  'Noah',
  'Hana',
  'Lucas',
  'Chloé',
  'Arjun',
  'Emma',
  'Kofi',
  'Isabella',
  'Daniel',
  'Yuki',
  'Samuel',
  'Leila',
  'Tomás',
  'Freya',
  'Omar',
  'Grace',
  'Mohammed',
  'Elena',
  'Jakub',
  'Aisha',
  'Ethan',
  'Ingrid',
  'Diego',
  'Mei',
  'Felix',
  'Zoe',
  'Ravi',
  'Clara',
  'Benjamin',
  'Nadia',
  'Henrik',
  'Lucía',
  'Kwame',
  'Julia',
  'Marco',
  'Fatima',
  'Oscar',
  'Anya',
  'Theo',
  'Rosa',
  'Kenji',
  'Eva',
  'Malik',
  'Sara',
  'Patrick',
  'Naomi',
  'Hugo',
  'Ayesha',
  'Lars',
  'Camille',
  'Victor',
  'Priyanka',
  'Sean',
  'Maja',
  'Adrian',
];

const LAST_NAMES = [
  'Johnson',
  'García',
  'Nguyen',
  'Müller',
  'Rossi',
  'Kowalski',
  'Tanaka',
  'Silva',
  'Andersson',
  'Okonkwo',
  'Dubois',
  'Patel',
  'Schneider',
  'Kim',
  'Fernández',
  'Novak',
  'Haddad',
  "O'Brien",
  'Jansen',
  'Costa',
  'Ivanova',
  'Mensah',
  'Larsen',
  'Moreau',
  'Chen',
  'Bianchi',
  'Yilmaz',
  'Walsh',
  'Nakamura',
  'Hoffmann',
  'Sato',
  'Martins',
  'Kaur',
  'Lindberg',
  'Rahman',
  'Petrov',
  'Alvarez',
  'Fischer',
  'Murphy',
  'Santos',
  'Weber',
  'Khan',
  'Bergström',
  'Lopez',
  'Adeyemi',
  'Fontaine',
  'Horvat',
  'Ali',
  'Eriksen',
  'Romano',
];

// Made-up companies; their domains end in .example.
const COMPANIES = [
  'Northwind Traders',
  'Fabrikam',
  'Contoso Facilities',
  'Bluebird Logistics',
  'Kestrel Labs',
  'Harbor & Pine Properties',
  'Wayfarer Studio',
  'Tidewater Electric',
  'Alder Street Dental',
  'Copperleaf Coworking',
  'Granite Peak Homes',
  'Silverline Apartments',
  'Orchard Lane Cafés',
  'Brightside Installations',
  'Meridian Hotels',
  'Foxglove Design',
];
const PERSONAL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example', 'post.example'];

/** "José García" → "jose.garcia": addresses are ASCII even when names are not. */
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** `count` people with distinct names and addresses; about a third write from work. */
export function makeCustomers(random: Random, count: number): DemoCustomer[] {
  const pairs = random.shuffle(FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => [first, last] as const))).slice(0, count);
  const used = new Set<string>();
  return pairs.map(([first, last]) => {
    const company = random.pick(COMPANIES);
    const work = random.chance(0.35);
    const domain = work ? `${slug(company)}.example` : random.pick(PERSONAL_DOMAINS);
    const local = random.pick([
      `${ascii(first)}.${ascii(last)}`,
      `${ascii(first)[0]}${ascii(last)}`,
      `${ascii(first)}${ascii(last)[0]}`,
      work ? ascii(first) : `${ascii(first)}.${ascii(last)}${random.int(2, 98)}`,
    ]);
    let email = `${local}@${domain}`;
    for (let n = 2; used.has(email); n++) email = `${local}${n}@${domain}`;
    used.add(email);
    return { first, last, name: `${first} ${last}`, email, company };
  });
}
