/**
 * axe-core in the page under test. Injected with evaluate (not a <script> tag): the app's CSP
 * forbids inline scripts, and the tests must keep checking the page under that very policy.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../helpers/demo.ts';

const AXE_SOURCE = readFileSync(`${PROJECT_ROOT}node_modules/axe-core/axe.min.js`, 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe's violations, in the whole page or only inside `include` selectors, as "impact id: help (targets)". */
export async function axeViolations(page: Page, include?: string[]): Promise<{ all: string[]; blocking: string[] }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (selectors) => {
    const axe = (window as unknown as { axe: { run(context: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(selectors ? { include: selectors.map((s) => [s]) } : document)).violations;
  }, include ?? null);
  const summarize = (v: AxeViolation) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`;
  return { all: violations.map(summarize), blocking: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(summarize) };
}
