// When a pull of a document's diagnostics does work. Edits come in floods (typing, paste,
// undo), and every edit supersedes the pulls asked before it, so:
//   - a pull waits until the edits pause (the debounce), and gives up as soon as a newer edit
//     arrives or the client cancels it: a superseded pull is answered with a cancellation,
//     never with a list;
//   - one computation per document at a time, always of the latest version: an edit aborts the
//     running one, and the next pull waits for it to unwind instead of queueing behind it;
//   - every list gets a result id; when the list did not change, the pull is answered
//     `unchanged` with the id the client already holds.
// No LSP types here: the server maps the outcome onto the protocol.

/** The part of an LSP cancellation token used here. */
export interface CancellationSignal {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): unknown;
}

export type PullOutcome<Item> =
  | { kind: 'full'; resultId: string; items: Item[] }
  | { kind: 'unchanged'; resultId: string }
  /** `client`: the client cancelled the pull; `newer-edit`: the document changed since it was asked. */
  | { kind: 'cancelled'; by: 'client' | 'newer-edit' };

interface DocumentState {
  /** Bumped by every edit (and on close). */
  version: number;
  editedAt: number;
  running: { controller: AbortController; done: Promise<unknown> } | undefined;
  /** The last list answered, to tell an unchanged one. */
  answered: { resultId: string; fingerprint: string } | undefined;
  /** Sleeping pulls, woken by an edit so that they answer at once. */
  readonly sleepers: Set<() => void>;
}

export class DiagnosticsScheduler<Item> {
  private readonly documents = new Map<string, DocumentState>();
  private lastResultId = 0;
  /** Result ids of an earlier server process must never match this one's. */
  private readonly idPrefix = `${Date.now().toString(36)}-`;

  constructor(
    /** The debounce between the last edit and a computation. */
    private readonly delayMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The document changed: earlier pulls are superseded, and the running computation stops. */
  edited(uri: string): void {
    const state = this.stateOf(uri);
    state.version++;
    state.editedAt = this.now();
    state.running?.controller.abort();
    for (const wake of [...state.sleepers]) wake();
  }

  closed(uri: string): void {
    this.edited(uri);
    this.documents.delete(uri);
  }

  /**
   * Answers one pull. `compute` gets the document's latest text itself and must stop at
   * `signal` (throwing is fine: a superseded pull's error is not reported).
   */
  async pull(uri: string, previousResultId: string | undefined, token: CancellationSignal, compute: (signal: AbortSignal) => Promise<Item[]>): Promise<PullOutcome<Item>> {
    const state = this.stateOf(uri);
    const version = state.version;
    const superseded = (): PullOutcome<Item> | undefined => {
      if (token.isCancellationRequested) return { kind: 'cancelled', by: 'client' };
      return state.version === version ? undefined : { kind: 'cancelled', by: 'newer-edit' };
    };
    const wait = state.editedAt + this.delayMs() - this.now();
    // A token cancelled before the request was dispatched never fires its event: test it first.
    if (wait > 0 && !token.isCancellationRequested) await this.sleep(state, wait, token);
    // Let the computation of an older version unwind (it was aborted by the edit).
    while (state.running && !superseded()) await state.running.done.catch(() => undefined);
    const early = superseded();
    if (early) return early;
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const done = compute(controller.signal);
    state.running = { controller, done };
    let items: Item[];
    try {
      items = await done;
    } catch (error) {
      const cancelled = superseded();
      if (cancelled) return cancelled;
      throw error;
    } finally {
      if (state.running?.done === done) state.running = undefined;
    }
    return superseded() ?? this.answer(state, items, previousResultId);
  }

  private answer(state: DocumentState, items: Item[], previousResultId: string | undefined): PullOutcome<Item> {
    const fingerprint = JSON.stringify(items);
    if (state.answered?.fingerprint !== fingerprint) {
      state.answered = { resultId: `${this.idPrefix}${++this.lastResultId}`, fingerprint };
    }
    const { resultId } = state.answered;
    return previousResultId === resultId ? { kind: 'unchanged', resultId } : { kind: 'full', resultId, items };
  }

  private stateOf(uri: string): DocumentState {
    let state = this.documents.get(uri);
    if (!state) {
      state = { version: 0, editedAt: 0, running: undefined, answered: undefined, sleepers: new Set() };
      this.documents.set(uri, state);
    }
    return state;
  }

  /** Sleeps `ms`, or less when the pull is cancelled or a newer edit arrives. */
  private sleep(state: DocumentState, ms: number, token: CancellationSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        state.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      state.sleepers.add(wake);
      token.onCancellationRequested(wake);
    });
  }
}
