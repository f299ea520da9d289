// The Modules view: every module with compiled/(total − skipped), its coverage and its folder,
// in the order the user picked (remembered per workspace). Rows come from clysm/modules as they are.
import * as vscode from 'vscode';
import type { ModuleRow } from '../../../server/src/protocol';
import { uriOf } from '../paths';
import { describeRequestError } from '../requests';
import { coverageBucket, moduleDescription } from './labels';
import { isModuleOrder, MODULE_ORDERS, moduleFolder, sortModules, type ModuleOrder } from './moduleOrder';
import { snapshot, type ItemSnapshot } from './snapshot';
import { Throttle } from './throttle';

export const MODULES_VIEW = 'clysm.modules';
/** workspaceState key of the chosen order. */
const ORDER_KEY = 'clysm.modules.order';

export class ModulesView implements vscode.TreeDataProvider<ModuleRow>, vscode.Disposable {
  readonly view: vscode.TreeView<ModuleRow>;
  private rows: ModuleRow[] | undefined;
  private readonly changed = new vscode.EventEmitter<ModuleRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<void>();
  /** Fires after each load, successful or not. */
  readonly onDidLoad = this.loaded.event;
  private readonly throttle = new Throttle(200, () => this.load());
  private order: ModuleOrder;

  constructor(
    private readonly fetch: () => Promise<ModuleRow[]>,
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

  /** The last rows loaded from the server (undefined after a failed load). */
  current(): ModuleRow[] | undefined {
    return this.rows;
  }

  items(): Promise<ItemSnapshot[]> {
    return snapshot(this);
  }

  scheduleRefresh(): void {
    this.throttle.schedule();
  }

  refresh(): Promise<void> {
    return this.throttle.runNow();
  }

  getTreeItem(row: ModuleRow): vscode.TreeItem {
    const uri = uriOf(row.file);
    const item = new vscode.TreeItem(row.file.slice(row.file.lastIndexOf('/') + 1), vscode.TreeItemCollapsibleState.None);
    item.id = row.file;
    item.resourceUri = uri;
    // The folder first: it tells apart modules with the same file name (several package.lisp),
    // and stays visible in a narrow side bar; the pie icon shows the coverage too.
    item.description = [moduleFolder(row.file), moduleDescription(row)].filter(Boolean).join(' · ');
    item.iconPath = this.icon(row);
    const compilable = row.total - row.skipped;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${row.file}**: module ${row.moduleIndex} of ${this.rows?.length ?? '?'} in the module list\n\n`);
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

  getChildren(row?: ModuleRow): ModuleRow[] {
    return row ? [] : sortModules(this.rows ?? [], this.order);
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
      this.rows = await this.fetch();
      this.view.message = this.rows.length ? undefined : 'The module list is empty: no Lisp modules were found.';
    } catch (error) {
      this.rows = undefined;
      // Empty reason: a welcome view already explains (untrusted workspace, no folder).
      this.view.message = describeRequestError('clysm/modules', error) || undefined;
    }
    this.changed.fire(undefined);
    this.loaded.fire();
  }
}
