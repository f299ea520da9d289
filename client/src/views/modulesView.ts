// The Modules view: every module with compiled/(total − skipped), its coverage and its folder,
// in the order the user picked (remembered per workspace); one group per analysed workspace
// folder when there are several. Rows come from clysm/modules as they are.
import * as vscode from 'vscode';
import type { ModuleRow } from '../../../server/src/protocol';
import type { FolderRef } from '../folders/clysmFolders';
import { uriOf } from '../paths';
import { describeRequestError } from '../requests';
import { coverageBucket, moduleDescription } from './labels';
import { isModuleOrder, MODULE_ORDERS, moduleFolder, sortModules, type ModuleOrder } from './moduleOrder';
import { renderTree, type RenderedTreeItem } from './renderedTree';
import { Throttle } from './throttle';

export const MODULES_VIEW = 'clysm.modules';

/** One analysed folder's module rows. */
export interface FolderRows {
  folder: FolderRef;
  rows: ModuleRow[];
}

export type ModuleNode = { kind: 'folder'; group: FolderRows } | { kind: 'module'; row: ModuleRow; group: FolderRows; grouped: boolean };
/** workspaceState key of the chosen order. */
const ORDER_KEY = 'clysm.modules.order';

export class ModulesView implements vscode.TreeDataProvider<ModuleNode>, vscode.Disposable {
  readonly view: vscode.TreeView<ModuleNode>;
  private groups: FolderRows[] | undefined;
  private readonly changed = new vscode.EventEmitter<ModuleNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<void>();
  /** Fires after each load, successful or not. */
  readonly onDidLoad = this.loaded.event;
  private readonly throttle = new Throttle(200, () => this.load());
  private order: ModuleOrder;

  constructor(
    private readonly fetch: () => Promise<FolderRows[]>,
    private readonly mediaUri: vscode.Uri,
    private readonly state: vscode.Memento,
  ) {
    this.view = vscode.window.createTreeView(MODULES_VIEW, { treeDataProvider: this });
    const saved = state.get<unknown>(ORDER_KEY);
    this.order = isModuleOrder(saved) ? saved : 'list';
    this.describeOrder();
  }

  currentOrder(): ModuleOrder {
    return this.order;
  }

  /** Sets the order (asks for it when not given) and remembers it for this workspace. */
  async sortBy(order?: ModuleOrder): Promise<ModuleOrder | undefined> {
    let chosen = order;
    if (!chosen) {
      const picked = await vscode.window.showQuickPick(
        MODULE_ORDERS.map((o) => ({ ...o, description: o.order === this.order ? '(current)' : undefined })),
        { title: 'Sort the Clysm modules', placeHolder: 'Order of the Modules view' },
      );
      chosen = picked?.order;
    }
    if (!chosen) return undefined;
    this.order = chosen;
    await this.state.update(ORDER_KEY, chosen);
    this.describeOrder();
    this.changed.fire(undefined);
    return chosen;
  }

  /** The first folder's rows last loaded from the server (undefined after a failed load). */
  current(): ModuleRow[] | undefined {
    return this.groups?.[0]?.rows;
  }

  /** Every folder's rows last loaded (undefined after a failed load). */
  currentGroups(): FolderRows[] | undefined {
    return this.groups;
  }

  items(): Promise<RenderedTreeItem[]> {
    return renderTree(this);
  }

  scheduleRefresh(): void {
    this.throttle.schedule();
  }

  refresh(): Promise<void> {
    return this.throttle.runNow();
  }

  getTreeItem(node: ModuleNode): vscode.TreeItem {
    if (node.kind === 'folder') return folderItem(node.group);
    const { row, group } = node;
    const uri = uriOf(row.file, group.folder.uri);
    const item = new vscode.TreeItem(row.file.slice(row.file.lastIndexOf('/') + 1), vscode.TreeItemCollapsibleState.None);
    item.id = node.grouped ? `${group.folder.uri}\u0000${row.file}` : row.file;
    item.resourceUri = uri;
    // The folder first: it tells apart modules with the same file name (several package.lisp),
    // and stays visible in a narrow side bar; the pie icon shows the coverage too.
    item.description = [moduleFolder(row.file), moduleDescription(row)].filter(Boolean).join(' · ');
    item.iconPath = this.icon(row);
    const compilable = row.total - row.skipped;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${row.file}**: module ${row.moduleIndex} of ${group.rows.length} in the module list${node.grouped ? ` of ${group.folder.name}` : ''}\n\n`);
    if (row.problem) md.appendMarkdown(`⚠ ${row.problem}\n\n`);
    else if (!row.analysed) md.appendMarkdown('Not analysed yet.\n\n');
    else {
      md.appendMarkdown(`compiled ${row.compiled} · failed ${row.failed} · skipped ${row.skipped} · ${row.total} forms` + (row.readErrors ? ` · ${row.readErrors} read errors (not forms)` : '') + '\n\n');
      md.appendMarkdown(`coverage = compiled / (total − skipped) = ${row.compiled} / ${compilable} = ${row.coveragePct.toFixed(2)} %`);
      if (row.stale) md.appendMarkdown('\n\nFrom the cache of a previous session; being re-checked.');
    }
    item.tooltip = md;
    if (uri) item.command = { command: 'vscode.open', title: 'Open Module', arguments: [uri] };
    item.contextValue = 'clysm.module';
    return item;
  }

  getChildren(node?: ModuleNode): ModuleNode[] {
    const groups = this.groups ?? [];
    const rowsOf = (group: FolderRows, grouped: boolean): ModuleNode[] => sortModules(group.rows, this.order).map((row) => ({ kind: 'module', row, group, grouped }));
    if (!node) {
      // Several folders: one group each; one folder: its modules at the top, as without multi-root.
      if (groups.length > 1) return groups.map((group): ModuleNode => ({ kind: 'folder', group }));
      return groups.length === 1 ? rowsOf(groups[0], false) : [];
    }
    return node.kind === 'folder' ? rowsOf(node.group, true) : [];
  }

  dispose(): void {
    this.throttle.dispose();
    this.view.dispose();
    this.changed.dispose();
    this.loaded.dispose();
  }

  private describeOrder(): void {
    this.view.description = this.order === 'list' ? undefined : MODULE_ORDERS.find((o) => o.order === this.order)?.label;
  }

  private icon(row: ModuleRow): vscode.ThemeIcon | vscode.Uri {
    if (row.problem) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'));
    if (!row.analysed) return new vscode.ThemeIcon('circle-large-outline');
    // Pie icons (media/coverage-N.svg): a codicon cannot show a fraction.
    return vscode.Uri.joinPath(this.mediaUri, `coverage-${coverageBucket(row)}.svg`);
  }

  private async load(): Promise<void> {
    try {
      this.groups = await this.fetch();
      this.view.message = this.groups.some((g) => g.rows.length > 0) ? undefined : 'The module list is empty: no Lisp modules were found.';
    } catch (error) {
      this.groups = undefined;
      // Empty reason: a welcome view already explains (untrusted workspace, no folder).
      this.view.message = describeRequestError('clysm/modules', error) || undefined;
    }
    this.changed.fire(undefined);
    this.loaded.fire();
  }
}

/** A folder's group: its name and how many of its modules are analysed. */
function folderItem({ folder, rows }: FolderRows): vscode.TreeItem {
  const item = new vscode.TreeItem(folder.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `folder\u0000${folder.uri}`;
  const analysed = rows.filter((r) => r.analysed).length;
  item.description = `${rows.length} ${rows.length === 1 ? 'module' : 'modules'}${analysed < rows.length ? ` · ${analysed} analysed` : ''}`;
  item.iconPath = new vscode.ThemeIcon('root-folder');
  item.tooltip = `${folder.name}: its own Clysm analysis (${vscode.Uri.parse(folder.uri).fsPath})`;
  item.contextValue = 'clysm.folder';
  return item;
}
