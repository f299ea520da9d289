// The Fixes mode of the Blockers view: one flat list of root causes across categories, most
// forms unlocked first (the server ranks them), each with the forms it blocks. Items only:
// BlockersView decides which mode is shown.
import * as vscode from 'vscode';
import type { RootCauseNode } from '../../../server/src/protocol';
import { ClientCommands } from '../../../server/src/protocol';
import { escapeMarkdown, fixDescription } from './labels';

export type BlockersMode = 'fixes' | 'categories';

/** Context key read by the view/title menu to show the matching mode button. */
export const MODE_CONTEXT = 'clysm.blockers.mode';

export function causeItemId(id: string): string {
  return `cause\u0000${id}`;
}

export function causeItem(c: RootCauseNode, coveragePct: number): vscode.TreeItem {
  const item = new vscode.TreeItem(c.message, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = causeItemId(c.id);
  item.description = fixDescription(c);
  item.iconPath = new vscode.ThemeIcon(c.waitsOn ? 'debug-pause' : c.origin ? 'wrench' : 'error');
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [ClientCommands.openLocation] };
  md.appendMarkdown(`**${escapeMarkdown(c.category)}** · ${c.count} form${c.count === 1 ? '' : 's'} fail with this root cause; `);
  md.appendMarkdown(`fixing it unlocks ${c.unlocks}: coverage ${coveragePct.toFixed(2)}% → ${c.coverageIfFixedPct.toFixed(2)}%.\n\n`);
  md.appendCodeblock(c.message, 'text');
  if (c.origin) {
    const link = `command:${ClientCommands.openLocation}?${encodeURIComponent(JSON.stringify([c.origin]))}`;
    md.appendMarkdown(`\nRaised in \`${c.origin.name}\` ([${escapeMarkdown(`${c.origin.file}:${c.origin.line}`)}](${link}))\n\n`);
  } else {
    md.appendMarkdown('\nNo compiler function: the compiler returned bytes that the Wasm engine rejected.\n\n');
  }
  if (c.waitsOn) md.appendMarkdown(`**Fix first:** ${escapeMarkdown(c.waitsOn.explanation)}.`);
  item.tooltip = md;
  item.contextValue = c.origin ? 'clysm.rootCause.withOrigin' : 'clysm.rootCause';
  item.accessibilityInformation = { label: `${c.message}, ${fixDescription(c)}` };
  return item;
}
