import type { DemoResult } from './seed-demo.js';

const count = (n: number) => n.toLocaleString('en-US');

/** What `onethread demo` prints: what was added, who can sign in, and where. */
export function formatDemoSummary(result: DemoResult, url: string): string {
  const width = Math.max(...result.agents.map((a) => a.name.length));
  const agents = result.agents.map((a) => `  ${a.name.padEnd(width)}  ${a.email}${a.created ? '' : '  (existing account, password unchanged)'}`);
  return [
    `Demo inbox ready: ${count(result.conversations)} conversations with ${count(result.messages)} messages and ${count(result.notes)} internal notes, from ${count(result.customers)} customers.`,
    ...(result.articles ? [`The help center has ${count(result.articles)} articles (${url}/help), which the chat widget's bot answers from.`] : []),
    '',
    `Sign in as one of the demo agents (password: ${result.password}):`,
    ...agents,
    ...(result.admin ? [`or as the admin, ${result.admin}.`] : []),
    '',
    `Open ${url} (start Onethread with "npx onethread serve" if it is not running).`,
  ].join('\n');
}
