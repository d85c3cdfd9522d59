import type { AlertConfig, Rule } from '../alerts/types.js';
import { RUNBOOKS } from '../alerts/runbooks.js';
import { alertName, translationOf } from '../prometheus/rules.js';
import { causePairs } from './inhibit.js';

const link = (id: string) => `[${alertName(id)}](${alertName(id)}.md)`;

/**
 * One runbook page per rule, what each alert's `runbook_url` points at:
 * what it means, how to confirm it, how to fix it (the dashboard's why and
 * next, from `RUNBOOKS`), what it can be a symptom of, and how the PromQL
 * alert differs from the dashboard's judgement.
 */
export function runbookPage(rule: Rule, rules: readonly Rule[], config: AlertConfig): string {
  const runbook = RUNBOOKS[rule.id];
  if (!runbook) throw new Error(`no runbook for ${rule.id}`);
  const pairs = causePairs(rules);
  const causes = pairs.filter((p) => p.symptom === rule.id).map((p) => p.cause);
  const symptoms = pairs.filter((p) => p.cause === rule.id).map((p) => p.symptom);
  const translation = translationOf(config, rule);
  const lines = [
    `# ${alertName(rule.id)}`,
    '',
    `nettriage rule \`${rule.id}\`: fires when ${rule.fires}.`,
    '',
    '## What it means',
    '',
    runbook.why,
    '',
    '## How to confirm',
    '',
    'On the node, in the namespace the alert names (`sudo nettriage --netns NAME` or `--pid PID` shows it live, with the processes involved):',
    '',
    '```sh',
    ...runbook.confirm,
    '```',
    '',
    '## How to fix',
    '',
    ...runbook.fix.map((f) => `- ${f}`),
  ];
  if (causes.length > 0) {
    lines.push('', '## A symptom of', '', `While one of these fires on the same node and namespace, Alertmanager inhibits this alert (\`alertmanager-inhibit.yml\`): fix the cause first.`, '', ...causes.map((c) => `- ${link(c)}`));
  }
  if (symptoms.length > 0) lines.push('', '## Explains', '', 'Alerts inhibited while this one fires on the same node and namespace:', '', ...symptoms.map((s) => `- ${link(s)}`));
  lines.push('', '## In Prometheus', '');
  if (config[rule.id]?.enabled === false) lines.push('Disabled in the configuration `nettriage mixin --config` was given: not in `alerts.yml`.');
  else if (!translation) lines.push('Not expressible over the metrics: the dashboard and `--json` say it; Prometheus does not.');
  else lines.push(`\`${alertName(rule.id)}\` in \`alerts.yml\`, labelled \`nettriage_rule: ${rule.id}\`.${translation.namespaced ? ' Judged in the watched namespace and, with `--all-netns`, in every other (labels `netns`, `namespace`, `pod`).' : ''}${translation.differs ? ` Differs from the dashboard: ${translation.differs}.` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** `runbooks/README.md`: every alert, and where its page is. */
export function runbookIndex(rules: readonly Rule[], config: AlertConfig): string {
  const lines = ['# nettriage runbooks', '', 'One page per alert; each alert\'s `runbook_url` points at its page.', '', '| alert | fires when |', '|---|---|'];
  for (const r of rules) lines.push(`| ${link(r.id)}${translationOf(config, r) ? '' : ' (dashboard only)'} | ${r.fires.replaceAll('|', '\\|')} |`);
  return `${lines.join('\n')}\n`;
}
