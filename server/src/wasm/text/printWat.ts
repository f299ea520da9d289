// The WAT of a module, printed by wasm-tools (see docs/wasm-printer.md), with where each
// defined function's instructions are. wasm-tools reads a body's block structure as it prints,
// so it refuses a whole module when one body is unbalanced (`else` outside an `if`, frames left
// open), which is common in modules V8 rejects. Such a body is printed here in parts, each one
// printed by wasm-tools in a copy of the module where that body holds only that part, closed
// with synthetic `end`s or opened with a synthetic `if`/`try`; the synthetic lines are dropped.
import { readModule, type WasmModuleInfo } from '../wasmReader';
import { concat, readCodeBodies, withInstructions, type CodeBody } from './codeBodies';
import type { PrintFn } from './wasmToolsLoader';

const END = 0x0b;
const NOP = 0x01;
const EMPTY = new Uint8Array(0);
/** Most open frames closed with synthetic `end`s when printing a part (Clysm nests far less). */
const MAX_SYNTHETIC_ENDS = 256;

/** One stretch of a body, printed on its own. Offsets are absolute in the module. */
export interface BodyPart {
  start: number;
  end: number;
  /** Synthetic opener printed before the part (an `if` for an orphan `else`), or empty. */
  opener: Uint8Array;
  /** 1-based lines of the part's first and last instruction. */
  firstLine: number;
  lastLine: number;
}

export interface PrintedFunction {
  /** Index in the function index space, as in `(func (;N;)` and V8's "function #N". */
  index: number;
  /** 1-based line of `(func …`. */
  headerLine: number;
  /** 1-based lines of the first and last instruction; lastLine < firstLine when the body is empty. */
  firstLine: number;
  lastLine: number;
  /** wasm-tools' reason when it could not read the body as a whole (it is then printed in parts). */
  unreadable?: string;
  parts: BodyPart[];
}

export interface PrintedModule {
  text: string;
  /** Defined functions, in index order. */
  functions: PrintedFunction[];
}

/** The printer's failure on one body, with the offset it names (absolute, in the bytes it was given). */
interface LibraryError {
  message: string;
  offset: number | undefined;
}

function libraryError(error: unknown): LibraryError {
  const message = error instanceof Error ? error.message : String(error);
  const at = /\(at offset 0x([0-9a-f]+)\)/.exec(message);
  return { message: message.replace(/\s*\(at offset 0x[0-9a-f]+\)/, ''), offset: at ? parseInt(at[1], 16) : undefined };
}

const FUNC_HEADER = /^ {2}\(func\b.*?\(;(\d+);\)/;

/** Where each function's instruction lines are in printed text (0-based line numbers; `last` is exclusive). */
function functionLines(lines: readonly string[]): Map<number, { header: number; first: number; last: number }> {
  const found = new Map<number, { header: number; first: number; last: number }>();
  for (let i = 0; i < lines.length; i++) {
    const header = FUNC_HEADER.exec(lines[i]);
    if (!header) continue;
    let first = i + 1;
    while (first < lines.length && /^ {4}\(local\b/.test(lines[first])) first++;
    let last = first;
    while (last < lines.length && lines[last].startsWith('    ')) last++;
    found.set(Number(header[1]), { header: i, first, last });
  }
  return found;
}

/** The synthetic opener that makes an orphan continuation readable, from wasm-tools' message. */
function openerFor(message: string): Uint8Array | undefined {
  if (/`else` found outside/.test(message)) return Uint8Array.of(0x04, 0x40); // if (empty block type)
  if (/`(catch|catch_all|delegate)` found outside/.test(message)) return Uint8Array.of(0x06, 0x40); // legacy try
  return undefined;
}

type PartResult = { ok: true; lines: string[] } | { ok: false; message: string; offset: number };

/** A module and its bodies, with the bodies wasm-tools cannot read replaced by a `nop`. */
class ModuleContext {
  readonly info: WasmModuleInfo;
  readonly bodies: CodeBody[];
  readonly stubs = new Map<number, Uint8Array>();

  constructor(readonly bytes: Uint8Array, readonly print: PrintFn) {
    this.info = readModule(bytes);
    this.bodies = readCodeBodies(bytes, this.info);
  }

  body(index: number): CodeBody {
    const body = this.bodies.find((b) => b.index === index);
    if (!body) throw new Error(`function #${index} is not a defined function of this module`);
    return body;
  }

  /** Prints the module with the stubs and `code` as the instructions of function `index`; the body's start in those bytes. */
  private printWith(index: number, code: Uint8Array): { text: string } | { error: LibraryError; codeStart: number } {
    const bytes = withInstructions(this.bytes, this.info, this.bodies, new Map([...this.stubs, [index, code]]));
    try {
      return { text: this.print(bytes) };
    } catch (error) {
      const codeStart = readCodeBodies(bytes, readModule(bytes)).find((b) => b.index === index)?.codeStart ?? 0;
      return { error: libraryError(error), codeStart };
    }
  }

  /**
   * The instruction lines of `opener + code` as the body of function `index`, closed with as
   * many synthetic `end`s as it needs; the opener's line and the synthetic ends are dropped.
   * On failure, the offset is relative to the start of `code`.
   */
  printPart(index: number, opener: Uint8Array, code: Uint8Array): PartResult {
    for (let ends = 0; ends <= MAX_SYNTHETIC_ENDS; ends++) {
      const printed = this.printWith(index, concat([opener, code, new Uint8Array(ends).fill(END)]));
      if ('text' in printed) {
        const lines = printed.text.split('\n');
        const at = functionLines(lines).get(index);
        if (!at) throw new Error(`wasm-tools printed no function #${index}`);
        // The last `end` closes the function and is not printed; the others are synthetic.
        return { ok: true, lines: lines.slice(at.first + (opener.length > 0 ? 1 : 0), at.last - Math.max(0, ends - 1)) };
      }
      const { error, codeStart } = printed;
      if (/control frames remain/.test(error.message)) continue;
      return { ok: false, message: error.message, offset: (error.offset ?? codeStart) - codeStart - opener.length };
    }
    return { ok: false, message: `more than ${MAX_SYNTHETIC_ENDS} blocks left open`, offset: code.length };
  }

  /** The whole module's text, stubbing each body wasm-tools refuses; the refusals by function index. */
  printStubbed(): { text: string; refused: Map<number, string> } {
    const refused = new Map<number, string>();
    for (;;) {
      const bytes = withInstructions(this.bytes, this.info, this.bodies, this.stubs);
      try {
        return { text: this.print(bytes), refused };
      } catch (error) {
        const failure = libraryError(error);
        const body = failure.offset === undefined ? undefined : readCodeBodies(bytes, readModule(bytes)).find((b) => failure.offset! >= b.start && failure.offset! <= b.end);
        if (!body || this.stubs.has(body.index)) throw new Error(`wasm-tools cannot print this module: ${failure.message}`);
        refused.set(body.index, `${failure.message} (at @+${this.body(body.index).codeStart + failure.offset! - body.codeStart})`);
        this.stubs.set(body.index, Uint8Array.of(NOP, END));
      }
    }
  }

  /** A refused body split into parts that wasm-tools prints, each with its lines. */
  printInParts(index: number): { parts: Array<Omit<BodyPart, 'firstLine' | 'lastLine'> & { lines: string[] }> } {
    const body = this.body(index);
    const parts: Array<Omit<BodyPart, 'firstLine' | 'lastLine'> & { lines: string[] }> = [];
    let pos = body.codeStart;
    let opener: Uint8Array = EMPTY;
    while (pos < body.end) {
      const rest = this.printPart(index, opener, this.bytes.subarray(pos, body.end));
      if (rest.ok) {
        parts.push({ start: pos, end: body.end, opener, lines: rest.lines });
        break;
      }
      // The library names the byte after an orphan `else`/`catch`/`delegate` opcode.
      const orphanAt = openerFor(rest.message) ? rest.offset - 1 : rest.offset;
      if (orphanAt > 0) {
        const cut = Math.min(pos + orphanAt, body.end);
        const head = this.printPart(index, opener, this.bytes.subarray(pos, cut));
        if (!head.ok) throw new Error(`wasm-tools cannot print function #${index} up to @+${cut}: ${head.message}`);
        parts.push({ start: pos, end: cut, opener, lines: head.lines });
        pos = cut;
        opener = EMPTY;
        continue;
      }
      const next = opener.length === 0 ? openerFor(rest.message) : undefined;
      if (!next) throw new Error(`wasm-tools cannot print function #${index} at @+${pos}: ${rest.message}`);
      opener = next;
    }
    return { parts };
  }
}

/** Longest instruction encoding stepped back over (an opcode, a prefix and a few LEB128 immediates). */
const MAX_INSTRUCTION_BYTES = 32;

/**
 * How many instructions of the part come before the one at `offset`: the part printed up to
 * there, counted. V8 may name a byte inside an instruction (its immediate, as in "Invalid
 * global index"): a cut there leaves a partial instruction the library cannot read, so the cut
 * moves back to the first byte where the prefix reads whole, the start of that instruction.
 */
function instructionsBefore(context: ModuleContext, index: number, part: BodyPart, offset: number): number {
  let last = '';
  for (let cut = offset; cut > part.start && offset - cut <= MAX_INSTRUCTION_BYTES; cut--) {
    const printed = context.printPart(index, part.opener, context.bytes.subarray(part.start, cut));
    if (printed.ok) return printed.lines.length;
    last = printed.message;
  }
  if (offset <= part.start || offset - part.start <= MAX_INSTRUCTION_BYTES) return 0;
  throw new Error(`no instruction of function #${index} starts within ${MAX_INSTRUCTION_BYTES} bytes before @+${offset}: ${last}`);
}

/** A printed module that can also place byte offsets on its lines. */
export class WatModule implements PrintedModule {
  readonly text: string;
  readonly functions: PrintedFunction[];

  private constructor(private readonly context: ModuleContext, text: string, functions: PrintedFunction[]) {
    this.text = text;
    this.functions = functions;
  }

  /** Prints `bytes` with `print`. Throws with a clear message when the sections cannot be read or printed. */
  static print(bytes: Uint8Array, print: PrintFn): WatModule {
    const context = new ModuleContext(bytes, print);
    const { text, refused } = context.printStubbed();
    const split = new Map([...refused.keys()].map((index) => [index, context.printInParts(index).parts]));
    const source = text.split('\n');
    const where = functionLines(source);
    const out: string[] = [];
    const functions: PrintedFunction[] = [];
    let copied = 0;
    for (const body of context.bodies) {
      const at = where.get(body.index);
      if (!at) throw new Error(`wasm-tools printed no function #${body.index}`);
      const headerLine = out.length + (at.header - copied) + 1;
      const parts = split.get(body.index);
      if (!parts) {
        out.push(...source.slice(copied, at.last));
        const offsetToNew = headerLine - 1 - at.header;
        const firstLine = at.first + offsetToNew + 1;
        const lastLine = at.last + offsetToNew;
        functions.push({ index: body.index, headerLine, firstLine, lastLine, parts: [{ start: body.codeStart, end: body.end, opener: EMPTY, firstLine, lastLine }] });
      } else {
        out.push(...source.slice(copied, at.first));
        out.push(`    ;; wasm-tools cannot read this body as a whole (${refused.get(body.index)}): printed in ${parts.length} part${parts.length === 1 ? '' : 's'}`);
        const firstLine = out.length + 1;
        const placed: BodyPart[] = [];
        for (const part of parts) {
          if (placed.length > 0) out.push(`    ;; part ${placed.length + 1}, from @+${part.start}${part.opener.length > 0 ? ' (read as if inside a block it continues)' : ''}`);
          placed.push({ start: part.start, end: part.end, opener: part.opener, firstLine: out.length + 1, lastLine: out.length + part.lines.length });
          out.push(...part.lines);
        }
        functions.push({ index: body.index, headerLine, firstLine, lastLine: out.length, unreadable: refused.get(body.index), parts: placed });
      }
      copied = at.last; // for a body in parts, this skips the stub's `nop` line
    }
    out.push(...source.slice(copied));
    return new WatModule(context, out.join('\n'), functions);
  }

  /** One function's text: its `(func …` line through its closing parenthesis. */
  functionText(index: number): string {
    const fn = this.functions.find((f) => f.index === index);
    if (!fn) throw new Error(`function #${index} is not a defined function of this module`);
    const lines = this.text.split('\n');
    const closing = fn.lastLine >= fn.firstLine ? fn.lastLine + 1 : fn.headerLine;
    return `${lines.slice(fn.headerLine - 1, closing).join('\n')}\n`;
  }

  /**
   * The 1-based line of the instruction at byte `offset` of function `index`, as V8 names it
   * ("Compiling function #N failed: … @+OFFSET"). An offset at the body's final `end` (not
   * printed) gives the function's last instruction line.
   */
  lineOf(index: number, offset: number): number {
    const fn = this.functions.find((f) => f.index === index);
    if (!fn) throw new Error(`function #${index} is not a defined function of this module`);
    const part = [...fn.parts].reverse().find((p) => offset >= p.start) ?? fn.parts[0];
    if (!part) return fn.headerLine;
    const line = part.firstLine + instructionsBefore(this.context, index, part, Math.min(offset, part.end));
    return Math.max(part.firstLine, Math.min(line, part.lastLine));
  }
}
