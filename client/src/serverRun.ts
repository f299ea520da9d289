// One run of the language server: the client and what was made for it (the file-system
// watcher, the notification handlers). Stopping the run disposes all of them, so a restart
// leaves nothing behind. No VS Code import: unit-tested with fakes.

export interface Disposable {
  dispose(): unknown;
}

/** The part of vscode-languageclient's LanguageClient a run needs. */
export interface DisposableClient {
  /** Stops the server (waiting at most `timeoutMs`) and frees the client. */
  dispose(timeoutMs?: number): Promise<void>;
}

export class ServerRun<C extends DisposableClient> {
  private readonly resources: Disposable[];
  private stopped = false;

  private constructor(readonly client: C, resources: Disposable[]) {
    this.resources = resources;
  }

  /**
   * Makes the watcher, then the client that uses it; the run owns both. When the client
   * cannot be made, the watcher is disposed at once.
   */
  static create<W extends Disposable, C extends DisposableClient>(createWatcher: () => W, createClient: (watcher: W) => C): ServerRun<C> {
    const watcher = createWatcher();
    try {
      return new ServerRun(createClient(watcher), [watcher]);
    } catch (error) {
      watcher.dispose();
      throw error;
    }
  }

  /** Something that lives exactly as long as this run (a notification handler, …). */
  own(...disposables: Disposable[]): void {
    if (this.stopped) for (const d of disposables) d.dispose();
    else this.resources.push(...disposables);
  }

  /** Stops the server and frees everything of this run, even when the server does not stop cleanly. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.client.dispose(timeoutMs);
    } finally {
      for (const d of this.resources.splice(0)) d.dispose();
    }
  }
}
