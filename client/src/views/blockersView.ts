// The Blockers tree: regressions first, then, in the default Fixes mode, root causes → forms
// (fixes.ts), or in the Categories mode blocker categories → message patterns → forms.
// One group per analysed folder when there are several (docs/multi-root.md). It renders
// clysm/rootCauses and clysm/blockerTree answers; ranking, counts and priorities all come from the server.
import * as vscode from 'vscode';
import type { BlockerCategoryNode, BlockerPatternNode, BlockerTree, BlockerTreeParams, ChangedForm, FormRef, LastChange, RootCauseList, RootCauseNode, ServerStatus } from '../../../server/src/protocol';
import { changedFormItem, lastChangeItem } from './lastChange';
import { changedFormsInOrder } from './labels';
import { causeItem, MODE_CONTEXT, type BlockersMode } from './fixes';
import type { FolderRef } from '../folders/clysmFolders';
import { folderOf, relativePathOf } from '../paths';
import { describeRequestError } from '../requests';
import { categoryDescription, escapeMarkdown, failingCount, formIdExplained, formIdLabel, formLabel, moduleName, readErrorsDescription } from './labels';
import { Throttle } from './throttle';
import { renderTree, type RenderedTreeItem } from './renderedTree';

export const BLOCKERS_VIEW = 'clysm.blockers';
/** Context key read by the view/title menu to show the matching filter button. */
const FILTER_CONTEXT = 'clysm.blockers.filter';

export type BlockersFilter = 'all' | 'active';

/** One analysed folder's tree, and its Fixes list when the Fixes mode asked for it. */
export interface FolderTree {
  folder: FolderRef;
  tree: BlockerTree;
  fixes?: RootCauseList;
  /** The delta of the folder's last compiler change. */
  lastChange?: LastChange;
}

/** The active module of the filter: a file of one folder. */
export interface ActiveFile {
  folderUri: string;
  file: string;
}

/** `scope` tells apart the same node of two folders (empty with one folder, so ids stay as they were). */
interface InFolder {
  group: FolderTree;
  scope: string;
}

export type BlockerNode =
  | { kind: 'folder'; group: FolderTree }
  | ({ kind: 'lastChange'; change: LastChange } & InFolder)
  | ({ kind: 'changedForm'; change: ChangedForm } & InFolder)
  | ({ kind: 'regressions'; forms: FormRef[] } & InFolder)
  | ({ kind: 'cause'; cause: RootCauseNode } & InFolder)
  | ({ kind: 'readErrors'; forms: FormRef[] } & InFolder)
  | ({ kind: 'category'; category: BlockerCategoryNode } & InFolder)
  | ({ kind: 'pattern'; category: BlockerCategoryNode; pattern: BlockerPatternNode } & InFolder)
  | ({ kind: 'form'; form: FormRef; idPrefix: string } & InFolder);

const priorityIcon: Record<BlockerCategoryNode['priority'], vscode.ThemeIcon> = {
  HIGH: new vscode.ThemeIcon('flame', new vscode.ThemeColor('charts.red')),
  MEDIUM: new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.orange')),
  LOW: new vscode.ThemeIcon('info', new vscode.ThemeColor('charts.blue')),
};

/** An icon per kind of definition, so a long list of forms is easy to scan. */
function formIcon(operator: string | null): vscode.ThemeIcon {
  switch (operator) {
    case 'DEFUN':
    case 'DEFMACRO':
    case 'DEFGENERIC':
    case 'DEFMETHOD':
      return new vscode.ThemeIcon('symbol-function');
    case 'DEFVAR':
    case 'DEFPARAMETER':
    case 'DEFCONSTANT':
      return new vscode.ThemeIcon('symbol-variable');
    case 'DEFSTRUCT':
    case 'DEFCLASS':
      return new vscode.ThemeIcon('symbol-structure');
    default:
      return new vscode.ThemeIcon('symbol-misc');
  }
}

export class BlockersView implements vscode.TreeDataProvider<BlockerNode>, vscode.Disposable {
  readonly view: vscode.TreeView<BlockerNode>;
  private groups: FolderTree[] | undefined;
  /** The folder and Fixes nodes last handed to VS Code (per folder): reveal() needs the same elements. */
  private folderNodes: BlockerNode[] = [];
  private causeNodes = new Map<FolderTree, BlockerNode[]>();
  private mode: BlockersMode = 'fixes';
  private filter: BlockersFilter = 'all';
  /** The Lisp file last active in an editor: the "active module" of the filter. */
  private activeFile: ActiveFile | undefined;
  private status: ServerStatus | undefined;
  private problem: string | undefined;
  private readonly changed = new vscode.EventEmitter<BlockerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<void>();
  /** Fires after each load, successful or not (tests wait on it). */
  readonly onDidLoad = this.loaded.event;
  private readonly throttle = new Throttle(200, () => this.load());
  private readonly disposables: vscode.Disposable[] = [];

  /** @param fetch every analysed folder's tree (only `folderUri`'s when given), with its Fixes list when `withFixes`. */
  constructor(private readonly fetch: (params: BlockerTreeParams, folderUri: string | undefined, withFixes: boolean) => Promise<FolderTree[]>) {
    this.view = vscode.window.createTreeView(BLOCKERS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.trackActiveEditor(vscode.window.activeTextEditor);
    this.disposables.push(
      this.view,
      this.changed,
      this.loaded,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.trackActiveEditor(editor) && this.filter === 'active') this.scheduleRefresh();
      }),
    );
    void vscode.commands.executeCommand('setContext', FILTER_CONTEXT, this.filter);
    void vscode.commands.executeCommand('setContext', MODE_CONTEXT, this.mode);
  }

  /** The first folder's last Fixes list loaded from the server. */
  currentFixes(): RootCauseList | undefined {
    return this.groups?.[0]?.fixes;
  }

  currentMode(): BlockersMode {
    return this.mode;
  }

  setMode(mode: BlockersMode): Promise<void> {
    this.mode = mode;
    void vscode.commands.executeCommand('setContext', MODE_CONTEXT, mode);
    this.changed.fire(undefined);
    return this.refresh();
  }

  /** Shows the Fixes mode with the root cause `id` selected and expanded (Show All Forms with This Root Cause). */
  async revealRootCause(id: string): Promise<boolean> {
    if (this.mode !== 'fixes' || this.filter !== 'all') {
      this.mode = 'fixes';
      this.filter = 'all';
      void vscode.commands.executeCommand('setContext', MODE_CONTEXT, this.mode);
      void vscode.commands.executeCommand('setContext', FILTER_CONTEXT, this.filter);
    }
    await this.refresh();
    // Make the nodes as VS Code will ask for them, then find the cause in any folder.
    for (const top of this.getChildren()) if (top.kind === 'folder') this.getChildren(top);
    const node = [...this.causeNodes.values()].flat().find((n) => n.kind === 'cause' && n.cause.id === id);
    if (!node) return false;
    await this.view.reveal(node, { select: true, focus: true, expand: true });
    return true;
  }

  getParent(node: BlockerNode): BlockerNode | undefined {
    // Only root-cause nodes are revealed: at the top level, or under their folder when grouped.
    return node.kind === 'cause' && node.scope ? this.folderNodes.find((f) => f.kind === 'folder' && f.group === node.group) : undefined;
  }

  /** The first folder's tree last loaded from the server (undefined after a failed load). */
  current(): BlockerTree | undefined {
    return this.groups?.[0]?.tree;
  }

  /** Every folder's tree last loaded (undefined after a failed load). */
  currentGroups(): FolderTree[] | undefined {
    return this.groups;
  }

  currentFilter(): BlockersFilter {
    return this.filter;
  }

  /** Every item of the tree, fully expanded, as VS Code would render it. */
  items(): Promise<RenderedTreeItem[]> {
    return renderTree(this);
  }

  setFilter(filter: BlockersFilter): Promise<void> {
    this.filter = filter;
    void vscode.commands.executeCommand('setContext', FILTER_CONTEXT, filter);
    return this.refresh();
  }

  /** A new clysm/status: the counts may have changed, so fetch the tree again (throttled). */
  statusChanged(status: ServerStatus | undefined): void {
    this.status = status;
    this.scheduleRefresh();
  }

  scheduleRefresh(): void {
    this.throttle.schedule();
  }

  refresh(): Promise<void> {
    return this.throttle.runNow();
  }

  getTreeItem(node: BlockerNode): vscode.TreeItem {
    if (node.kind === 'folder') return folderItem(node.group);
    const item = this.itemOf(node);
    if (node.scope) item.id = `${node.scope}\u0000${item.id ?? ''}`;
    return item;
  }

  private itemOf(node: Exclude<BlockerNode, { kind: 'folder' }>): vscode.TreeItem {
    switch (node.kind) {
      case 'lastChange':
        return lastChangeItem(node.change);
      case 'changedForm':
        return changedFormItem(node.change, node.group.folder.uri);
      case 'regressions':
        return this.regressionsItem(node.forms);
      case 'cause':
        return causeItem(node.cause, node.group.fixes?.coveragePct ?? 0);
      case 'readErrors':
        return readErrorsItem(node.forms);
      case 'category':
        return categoryItem(node.category, node.group.tree.compilableForms);
      case 'pattern':
        return patternItem(node.category, node.pattern);
      case 'form':
        return formItem(node.form, node.idPrefix, node.group.folder.uri);
    }
  }

  getChildren(node?: BlockerNode): BlockerNode[] {
    if (!node) {
      const groups = this.groups ?? [];
      // Several folders: one group each; one folder: its tree at the top, as without multi-root.
      if (groups.length > 1) {
        if (this.folderNodes.length === 0) this.folderNodes = groups.map((group): BlockerNode => ({ kind: 'folder', group }));
        return this.folderNodes;
      }
      return groups.length === 1 ? this.topNodes({ group: groups[0], scope: '' }) : [];
    }
    const scope: InFolder = node.kind === 'folder' ? { group: node.group, scope: node.group.folder.uri } : { group: node.group, scope: node.scope };
    switch (node.kind) {
      case 'folder':
        return this.topNodes(scope);
      case 'lastChange':
        return changedFormsInOrder(node.change.changed).map((change): BlockerNode => ({ kind: 'changedForm', change, ...scope }));
      case 'changedForm':
        return [];
      case 'regressions':
        return node.forms.map((form): BlockerNode => ({ kind: 'form', form, idPrefix: 'regression', ...scope }));
      case 'cause':
        return node.cause.forms.map((form): BlockerNode => ({ kind: 'form', form, idPrefix: `cause\u0000${node.cause.id}`, ...scope }));
      case 'readErrors':
        return node.forms.map((form): BlockerNode => ({ kind: 'form', form, idPrefix: 'read-error', ...scope }));
      case 'category':
        return node.category.patterns.map((pattern): BlockerNode => ({ kind: 'pattern', category: node.category, pattern, ...scope }));
      case 'pattern':
        return node.pattern.forms.map((form): BlockerNode => ({ kind: 'form', form, idPrefix: `${node.category.category}\u0000${node.pattern.pattern}`, ...scope }));
      case 'form':
        return [];
    }
  }

  /** The top nodes of one folder's tree: regressions, read errors, then its Fixes or its categories. */
  private topNodes(scope: InFolder): BlockerNode[] {
    const { tree, fixes, lastChange } = scope.group;
    const top: BlockerNode[] = lastChange ? [{ kind: 'lastChange', change: lastChange, ...scope }] : [];
    if (tree.regressions.length) top.push({ kind: 'regressions', forms: tree.regressions, ...scope });
    if (tree.readErrors.length) top.push({ kind: 'readErrors', forms: tree.readErrors, ...scope });
    if (this.mode === 'fixes') {
      let causes = this.causeNodes.get(scope.group);
      if (!causes) {
        causes = (fixes?.causes ?? []).map((cause): BlockerNode => ({ kind: 'cause', cause, ...scope }));
        this.causeNodes.set(scope.group, causes);
      }
      return top.concat(causes);
    }
    return top.concat(tree.categories.map((category): BlockerNode => ({ kind: 'category', category, ...scope })));
  }

  dispose(): void {
    this.throttle.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** Remembers the active Lisp file; true when it changed. Other editors (output, settings) keep the last one. */
  private trackActiveEditor(editor: vscode.TextEditor | undefined): boolean {
    if (!editor || editor.document.languageId !== 'commonlisp') return false;
    const rel = relativePathOf(editor.document.uri);
    const folderUri = folderOf(editor.document.uri)?.uri.toString();
    if (!rel || !folderUri || (rel === this.activeFile?.file && folderUri === this.activeFile.folderUri)) return false;
    this.activeFile = { folderUri, file: rel };
    return true;
  }

  private async load(): Promise<void> {
    if (this.filter === 'active' && !this.activeFile) {
      this.show(undefined, 'Open a Lisp module to see its blockers, or show all modules.');
      return;
    }
    const active = this.filter === 'active' ? this.activeFile : undefined;
    const params: BlockerTreeParams = active ? { file: active.file } : {};
    try {
      // The categories carry the regressions and the badge's count in both modes.
      this.show(await this.fetch(params, active?.folderUri, this.mode === 'fixes'), undefined);
    } catch (error) {
      // An empty view with the reason; the next clysm/status notification tries again.
      this.show(undefined, describeRequestError(this.mode === 'fixes' ? 'clysm/rootCauses' : 'clysm/blockerTree', error));
    }
  }

  private show(groups: FolderTree[] | undefined, problem: string | undefined): void {
    this.groups = groups;
    this.folderNodes = [];
    this.causeNodes = new Map();
    this.problem = problem;
    const failing = (groups ?? []).reduce((n, g) => n + failingCount(g.tree.categories), 0);
    const active = this.filter === 'active' ? this.activeFile : undefined;
    const scope = active ? ` in ${moduleName(active.file)}` : '';
    this.view.badge = failing > 0 ? { value: failing, tooltip: `${failing} failing forms${scope}` } : undefined;
    this.view.message = this.message(groups);
    this.view.description = active ? moduleName(active.file) : undefined;
    this.changed.fire(undefined);
    this.loaded.fire();
  }

  private message(groups: FolderTree[] | undefined): string | undefined {
    if (this.problem) return this.problem;
    if (!groups) return undefined;
    const s = this.status;
    const partial = s && s.modulesDone < s.modulesTotal ? ` Analysing: ${s.modulesDone} of ${s.modulesTotal} modules done.` : '';
    if (groups.every(({ tree }) => tree.categories.length === 0 && tree.regressions.length === 0 && tree.readErrors.length === 0)) {
      const where = this.filter === 'active' && this.activeFile ? this.activeFile.file : 'the analysed modules';
      return `No blockers: every form of ${where} compiles or is skipped.${partial}`;
    }
    return partial ? partial.trim() : undefined;
  }

  private regressionsItem(forms: FormRef[]): vscode.TreeItem {
    return formGroupItem('Regressions', 'regressions', `${forms.length} ${forms.length === 1 ? 'form' : 'forms'} compiled in the baseline, fail now`, 'arrow-circle-down',
      '**Regressions**: forms that compiled in the baseline and fail now. The baseline is the report in `clysm.baselineReport`, or else the previous run.');
  }
}

/** A group of forms listed before the categories (regressions, read errors), expanded, in red. */
function formGroupItem(label: string, id: string, description: string, icon: string, tooltip: string): vscode.TreeItem {
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = id;
  item.description = description;
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor('charts.red'));
  item.tooltip = new vscode.MarkdownString(tooltip);
  item.contextValue = `clysm.${id}`;
  return item;
}

function readErrorsItem(forms: FormRef[]): vscode.TreeItem {
  return formGroupItem('Read errors', 'readErrors', readErrorsDescription(forms.length), 'bracket-error',
    '**Read errors**: text the reader could not read (a stray `)`, an unterminated string). They are not forms, ' +
      'so they are in none of the form counts and percentages; fix them first, since the reader resumes after them.');
}

function categoryItem(c: BlockerCategoryNode, compilableForms: number): vscode.TreeItem {
  const item = new vscode.TreeItem(c.category, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `category\u0000${c.category}`;
  item.description = categoryDescription(c);
  item.iconPath = priorityIcon[c.priority];
  const md = new vscode.MarkdownString();
  // The server's own reason: the client keeps no copy of the priority rule.
  md.appendMarkdown(`**${escapeMarkdown(c.category)}**: priority **${c.priority}** (${escapeMarkdown(c.priorityReason)})\n\n`);
  md.appendMarkdown(`${c.count} of the ${compilableForms} compilable forms (total − skipped) fail with this blocker: impact ${c.impactPct.toFixed(2)} % of compilable forms, the coverage it could add.\n\n`);
  md.appendMarkdown(`**Recommendation:** ${escapeMarkdown(c.recommendation)}`);
  item.tooltip = md;
  item.contextValue = 'clysm.category';
  item.accessibilityInformation = { label: `${c.category}, ${c.priority} priority, ${categoryDescription(c)}` };
  return item;
}

function patternItem(c: BlockerCategoryNode, p: BlockerPatternNode): vscode.TreeItem {
  const item = new vscode.TreeItem(p.pattern, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `pattern\u0000${c.category}\u0000${p.pattern}`;
  item.description = String(p.count);
  item.iconPath = new vscode.ThemeIcon('comment');
  const md = new vscode.MarkdownString();
  md.appendCodeblock(p.pattern, 'text');
  md.appendMarkdown(`${p.count} ${p.count === 1 ? 'form fails' : 'forms fail'} with this message. Fixing it could unlock up to ${p.count} ${p.count === 1 ? 'form' : 'forms'} ` +
    '(a form may have a further blocker behind this one).\n\n');
  md.appendMarkdown(`**Recommendation (${escapeMarkdown(c.category)}):** ${escapeMarkdown(c.recommendation)}`);
  item.tooltip = md;
  item.contextValue = 'clysm.pattern';
  return item;
}

/** A folder's group (several analysed folders): its name and how many of its forms fail. */
function folderItem({ folder, tree }: FolderTree): vscode.TreeItem {
  const item = new vscode.TreeItem(folder.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `folder\u0000${folder.uri}`;
  const failing = failingCount(tree.categories);
  item.description = `${failing} failing ${failing === 1 ? 'form' : 'forms'}${tree.regressions.length ? ` · ${tree.regressions.length} regressions` : ''}`;
  item.iconPath = new vscode.ThemeIcon('root-folder');
  item.tooltip = `${folder.name}: its own Clysm analysis (${vscode.Uri.parse(folder.uri).fsPath})`;
  item.contextValue = 'clysm.folder';
  return item;
}

function formItem(form: FormRef, idPrefix: string, folderUri: string): vscode.TreeItem {
  const item = new vscode.TreeItem(formLabel(form), vscode.TreeItemCollapsibleState.None);
  item.id = `form\u0000${idPrefix}\u0000${form.id}`;
  item.description = [formIdLabel(form.id), form.status === 'failed' ? undefined : form.status, form.regression ? 'regression' : undefined].filter(Boolean).join(' · ');
  item.iconPath = form.regression ? new vscode.ThemeIcon('arrow-circle-down', new vscode.ThemeColor('charts.red')) : formIcon(form.operator);
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(form.name ?? form.operator ?? form.id)}** · \`${form.file}:${form.range.start.line + 1}\` · form ${formIdExplained(form.id)} · ${form.status}\n\n`);
  if (form.message) md.appendCodeblock(form.message, 'text');
  item.tooltip = md;
  item.command = { command: 'clysm.revealForm', title: 'Reveal Form', arguments: [form, folderUri] };
  item.contextValue = 'clysm.form';
  return item;
}
