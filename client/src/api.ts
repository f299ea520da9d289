// The API the extension returns from activate(): used by the integration tests, and by anyone
// scripting Clysm from another extension. It exposes what is shown, never analysis of its own.
import type * as vscode from 'vscode';
import type { BlockerTree, ModuleRow, RootCauseList, ServerStatus } from '../../server/src/protocol';
import type { FolderRef } from './folders/clysmFolders';
import type { BlockersFilter, FolderTree } from './views/blockersView';
import type { BlockersMode } from './views/fixes';
import type { FolderRows } from './views/modulesView';
import type { RenderedTreeItem } from './views/renderedTree';

export type { RenderedTreeItem };

export interface ClysmApi {
  /** Resolves once the server has started (or failed to). */
  ready(): Promise<void>;
  /** The status of the folder the status bar shows (the active editor's). */
  status(): Promise<ServerStatus | undefined>;
  /** The most recent clysm/status notification of the folder the status bar shows. */
  lastStatus(): ServerStatus | undefined;
  /** The analysed workspace folders (one language server each). */
  folders(): FolderRef[];
  /** Each analysed folder's last blocker tree and module rows, as the views show them. */
  blockerGroups(): FolderTree[] | undefined;
  moduleGroups(): FolderRows[] | undefined;
  onStatus: vscode.Event<ServerStatus>;
  /** The coverage status bar item as shown. */
  statusBar(): { text: string; tooltip: string; command: string | undefined };
  /** The per-file language status item as shown (for the active editor). */
  moduleStatus(): { text: string; detail: string | undefined };
  /** The Blockers view: the last tree loaded, its message, badge and filter. */
  blockers(): {
    tree: BlockerTree | undefined;
    message: string | undefined;
    badge: number | undefined;
    filter: BlockersFilter;
    /** `fixes` (root causes, the default) or `categories`. */
    mode: BlockersMode;
    /** The Fixes list last loaded (in the Fixes mode). */
    fixes: RootCauseList | undefined;
    visible: boolean;
  };
  /** Fires when the Blockers view is shown or hidden. */
  onBlockersVisibility: vscode.Event<boolean>;
  /** Every Blockers item, fully expanded, as rendered (labels, descriptions, commands). */
  blockerItems(): Promise<RenderedTreeItem[]>;
  /** Fires after each load of the Blockers view. */
  onBlockersLoaded: vscode.Event<void>;
  /** The Modules view: the last rows loaded and its message. */
  modules(): { rows: ModuleRow[] | undefined; message: string | undefined };
  moduleItems(): Promise<RenderedTreeItem[]>;
  onModulesLoaded: vscode.Event<void>;
  /** Loads both views now. */
  refreshViews(): Promise<void>;
}
