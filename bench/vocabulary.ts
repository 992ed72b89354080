import { createRandom, type Random } from '../src/demo/random.js';
import { Zipf } from './zipf.js';

// Words for subjects and message bodies. Real support-desk words make the head of the
// distribution (rank 1 is the most frequent); made-up words make the long tail, so a
// search for the last word finds a handful of messages and one for the first finds
// most of them.

const HEAD = `
the to i and a you my is it for of on in this we have order not can with your be that please
help account thanks payment issue but are was do me will an if at from there problem
just any get our as so hi hello support email could would like know refund card time now
again still error login password update working back team invoice shipping delivery customer
received need new price plan subscription charged app page settings message reply today
days week yesterday tomorrow sorry thank best regards cancel change check confirm address
phone number link button screen download install version browser mobile android iphone
website server data export import report feature request bug crash slow fast missing wrong
double charge billing tax receipt discount coupon code trial upgrade downgrade renewal annual
monthly user admin access permission role invite team workspace project file upload attachment
image document pdf spreadsheet calendar meeting schedule reminder notification alert setting
profile name company country language currency timezone integration api webhook token key
password reset verify verification security twofactor session logout locked blocked spam
package tracking courier warehouse return exchange replacement damaged broken size colour
stock available backorder preorder estimate quote contract agreement terms policy privacy
`;

// Names are searched too (conversation FTS); keep tail words from colliding with them.
export const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Carla',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Lars',
  'Maya',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Aiko',
  'Bruno',
  'Chloe',
  'Diego',
  'Emma',
  'Felix',
  'Gita',
  'Hugo',
  'Ivan',
  'Julia',
  'Kai',
  'Lena',
  'Mateo',
  'Nina',
  'Oscar',
  'Paula',
  'Rafael',
  'Sara',
  'Tomas',
  'Uma',
  'Victor',
  'Wanda',
  'Yara',
  'Zane',
];
export const LAST_NAMES = [
  'Andersen',
  'Baker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Muller',
  'Novak',
  'Okafor',
  'Petrov',
  'Quinto',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Ueda',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Abbott',
  'Brooks',
  'Chen',
  'Diaz',
  'Evans',
  'Fong',
  'Gupta',
  'Hughes',
  'Iqbal',
  'Jones',
  'Kim',
  'Lee',
  'Mensah',
  'Nguyen',
  'Ortiz',
  'Park',
  'Reyes',
  'Singh',
  'Torres',
  'Usman',
  'Vogel',
  'Walsh',
  'Young',
  'Zimmer',
];

const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';

export type Vocabulary = {
  words: readonly string[];
  zipf: Zipf;
  /** The most frequent word: a search that matches a large share of all messages. */
  common: string;
  /** A frequent everyday word ("order", rank 17): what people actually search for. */
  medium: string;
  /** The least frequent word: a search that matches a few dozen messages. */
  rare: string;
  /** A sentence of `count` words drawn by frequency. */
  sentence(random: Random, count: number): string;
};

export function createVocabulary(size = 50_000, exponent = 1.07): Vocabulary {
  const head = [...new Set(HEAD.split(/\s+/).filter(Boolean))];
  const reserved = [...head, ...FIRST_NAMES, ...LAST_NAMES].map((w) => w.toLowerCase());
  // Three consonant–vowel syllables: all the same length, so none is a prefix of
  // another, and none shares a prefix relation with a real word. Search matches the
  // last query word as a prefix, so this keeps "rare" rare.
  const clashes = (w: string) => reserved.some((r) => w.startsWith(r) || r.startsWith(w));
  const random = createRandom(0x5eed);
  const tail = new Set<string>();
  const syllable = () => CONSONANTS[random.int(0, CONSONANTS.length - 1)]! + VOWELS[random.int(0, VOWELS.length - 1)]!;
  while (head.length + tail.size < size) {
    const word = syllable() + syllable() + syllable();
    if (!tail.has(word) && !clashes(word)) tail.add(word);
  }
  const words = [...head, ...tail];
  const zipf = new Zipf(words.length, exponent);
  return {
    words,
    zipf,
    common: words[0]!,
    medium: 'order',
    rare: words[words.length - 1]!,
    sentence(r, count) {
      const out = new Array<string>(count);
      for (let i = 0; i < count; i++) out[i] = words[zipf.draw(r)]!;
      return out.join(' ');
    },
  };
}
