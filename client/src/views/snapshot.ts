// A fully expanded copy of a tree, as its provider renders it: what the extension API hands to
// tests so they can check labels and run an item's command the way a click would.
import type * as vscode from 'vscode';

export interface ItemSnapshot {
  item: vscode.TreeItem;
  children: ItemSnapshot[];
}

export async function snapshot<T>(provider: vscode.TreeDataProvider<T>, node?: T): Promise<ItemSnapshot[]> {
  const children = (await provider.getChildren(node)) ?? [];
  return Promise.all(children.map(async (child) => ({ item: await provider.getTreeItem(child), children: await snapshot(provider, child) })));
}
