// A fully expanded copy of a tree, as its provider renders it: what the extension API hands to
// tests so they can check labels and run an item's command the way a click would.
import type * as vscode from 'vscode';

export interface RenderedTreeItem {
  item: vscode.TreeItem;
  children: RenderedTreeItem[];
}

export async function renderTree<T>(provider: vscode.TreeDataProvider<T>, node?: T): Promise<RenderedTreeItem[]> {
  const children = (await provider.getChildren(node)) ?? [];
  return Promise.all(children.map(async (child) => ({ item: await provider.getTreeItem(child), children: await renderTree(provider, child) })));
}
