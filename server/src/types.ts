// Domain types shared by the pure modules (reader, blockers, workspace), the backends,
// the language server and the headless CLI. Nothing here may import VS Code or do I/O.
import type { GenerationProgress, GeneratorResult, Stage1GenerationRequest } from './backends/generation';

/** 0-based line and UTF-16 character, exactly as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * One top-level datum of a source file, as Clysm numbers them: every datum counts,
 * including `in-package`, atoms and read errors.
 */
export interface TopLevelForm {
  /** 0-based index over every top-level datum in the file (Clysm's form index). */
  index: number;
  /** `list` for `( ... )`, `atom` for any other datum, `read-error` for text that could not be read. */
  kind: 'list' | 'atom' | 'read-error';
  /** Range of the datum, including any reader prefix such as `'`, `#+sbcl` or `#'`. */
  range: Range;
  /** UTF-16 offsets into the document text: text.slice(start, end) is the form. */
  start: number;
  end: number;
  /** Exact source text of the datum (text.slice(start, end)). */
  text: string;
  /** Head symbol of a list form, upper-cased, package prefix removed (`DEFUN`). */
  operator?: string;
  /** Second element for defining forms (`defun`, `defvar`, `defstruct`, ...), upper-cased. */
  name?: string;
  /** Package in effect when the form is read (from the preceding `in-package`), upper-cased. Default `CL-USER`. */
  package: string;
  /** For `read-error` items: what went wrong ("unterminated string", "unbalanced parenthesis", ...). */
  error?: string;
}

/** A list head found inside a form: `(loop ...)` gives { name: 'LOOP', start, end } of the token `loop`. */
export interface InnerOperator {
  name: string;
  /** UTF-16 offsets of the head token in the document. */
  start: number;
  end: number;
}

/** What happened to one form. */
export type FormStatus =
  | 'compiled' // the backend returned bytes (and they validated)
  | 'failed' // the backend reported an error, trapped, or produced invalid bytes
  | 'skipped' // a directive evaluated in the host (in-package, defconstant, ...)
  | 'timeout' // the per-form time limit ran out
  | 'no-output' // the backend returned nothing at all (today's Clysm Stage 0 stub)
  | 'read-error' // the reader could not read the datum
  | 'crashed'; // the backend process died on this form twice

/** A frame of the compiler's own code: a function and where it is defined. */
export interface SourceFrame {
  /** The function's name as the host prints it (`CLYSM/COMPILER:COMPILE-FORM`). */
  function: string;
  /** Workspace-relative path with `/` separators, or absolute when outside the workspace. */
  file?: string;
  /** 1-based line and column of the function's definition. */
  line?: number;
  column?: number;
}

/**
 * Where the compiler raised a failure: the innermost frame of the workspace's own system
 * (not the host's internals), with the frames that called it for context.
 */
export interface Origin extends SourceFrame {
  file: string;
  line: number;
  column: number;
  /** Callers of the origin, innermost first. */
  frames?: SourceFrame[];
}

export interface FormResult {
  status: FormStatus;
  /** Size of the compiled Wasm module, for `compiled`. */
  bytes?: number;
  /** The compiled bytes, when the backend keeps them. */
  wasm?: Uint8Array;
  /** Error type reported by the backend itself (Stage 0 `report-form-result` error_type, or `trap`). */
  errorType?: string;
  /** The compiler's own message, or the trap / timeout text. */
  message?: string;
  /** Wall time spent on this form by the backend, in ms. */
  durationMs?: number;
  /** For `timeout` and `crashed`: the per-form time limit in force (a larger one may give an answer). */
  timeLimitMs?: number;
  /** The host condition's class (`TYPE-ERROR`), when the backend knows it. */
  condition?: string;
  /** Where in the compiler's own source the failure was raised, when the backend knows it. */
  origin?: Origin;
}

export interface CompileRequest {
  /** Form id `"{module}:{form}"`, module 1-based in the module list, form 0-based. */
  formId: string;
  text: string;
  package: string;
  operator?: string;
}

export interface EngineInfo {
  name: string;
  version: string;
}

export interface Stage0Info {
  path: string;
  sha256: string;
  size: number;
  /** `ready`: compiles; `stub`: loads but produces no output; `error`: missing, corrupt, wrong ABI. */
  status: 'ready' | 'stub' | 'error';
  message: string;
}

/** State of a backend after start(). */
export interface BackendStatus {
  /** `ready` means per-form results are meaningful. */
  state: 'ready' | 'stub' | 'error' | 'starting' | 'stopped';
  message: string;
  engine: EngineInfo;
  stage0?: Stage0Info;
}

/**
 * Everything that compiles forms implements this: Stage 0 on an engine, or Clysm on SBCL. Each
 * compiles form by form for the editor, and generates a whole Stage 1 with its own generator.
 */
export interface CompilerBackend {
  /** Short name shown to users: `stage0` or `sbcl`. */
  readonly kind: 'stage0' | 'sbcl';
  /** Part of every cache key: changes whenever results could change (engine, Stage 0 hash, ...). */
  identity(): string;
  /** The per-form time limit, in ms: not part of the identity, but a timeout under a smaller one is not reused. */
  timeLimitMs(): number;
  start(): Promise<BackendStatus>;
  status(): BackendStatus;
  /** Status changes after start() (SBCL restarting after a crash), so the status bar follows them. */
  onDidChangeStatus?(listener: (status: BackendStatus) => void): { dispose(): void };
  compileForm(request: CompileRequest, signal?: AbortSignal): Promise<FormResult>;
  /**
   * How many forms of a module may be sent before the first one's result is back (default 1:
   * one at a time). A backend above 1 evaluates requests in the order sent, starts each form's
   * time limit when it starts that form (never while it waits in the queue), and on abort of
   * the signal passed to compileForm drops the requests it has not started.
   */
  pipelineDepth?(): number;
  /**
   * Runs this backend's Stage 1 generator once, on a process of its own (never the one that
   * compiles forms), writing only into `request.stagingDir`; stage1/ validates and commits.
   * Rejects with GenerationCancelled or GenerationFailed (backends/generation.ts).
   */
  generateStage1(request: Stage1GenerationRequest, progress: (progress: GenerationProgress) => void, signal?: AbortSignal): Promise<GeneratorResult>;
  dispose(): Promise<void>;
}

/** A form together with its result and derived blocker data: what diagnostics, hover and reports show. */
export interface AnalyzedForm {
  /** Workspace-relative path with `/` separators. */
  file: string;
  id: string;
  moduleIndex: number;
  form: TopLevelForm;
  result: FormResult;
  /** Blocker category for failed / timeout / read-error forms. */
  category?: string;
  /** Operator the failure is attributed to (may be an inner operator). */
  blameOperator?: string;
  /** Range of the offending subform, when the message names an operator found inside the form. */
  blameRange?: Range;
  recommendation?: string;
}
