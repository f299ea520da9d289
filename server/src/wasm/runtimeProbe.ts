// The one WasmGC probe. Can this JavaScript runtime run what Clysm emits? Clysm's output uses
// the final WasmGC encoding and exnref `try_table`, and the Stage 0 ABI needs the JS String
// Builtins. Node 20 (V8 11.3) has none of these, and no flag fixes that, so we say so clearly
// instead of failing later on some form. The same module answers the smaller question of
// whether V8's verdict on Clysm output means anything (v8SupportsWasmGc).
import { webAssembly, stage0CompileOptions } from './webAssembly';

export interface RuntimeProbeResult {
  ok: boolean;
  message: string;
}

export const runtimeRequirement = 'Clysm needs Node ≥ 22.22 / 24.15 or VS Code ≥ 1.103';

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}
const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];
const ascii = (text: string): number[] => [text.length, ...[...text].map((c) => c.charCodeAt(0))];

/**
 * (module
 *   (type $s (struct (field i32)))
 *   (type $f (func (param externref) (result i32)))
 *   (type $v (func))
 *   (import "wasm:js-string" "length" (func $length (type $f)))
 *   (tag $t (type $v))
 *   (func (export "probe") (type $f)
 *     (block $h (result exnref)
 *       (try_table (catch_all_ref $h) (throw $t))
 *       unreachable)
 *     drop
 *     (struct.get $s 0 (struct.new $s (i32.const 40)))
 *     (call $length (local.get 0))
 *     i32.add))
 * probe("ab") = 42 only if GC, exnref and the js-string builtins all work.
 */
const probeModule = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [
    0x03,
    0x5f, 0x01, 0x7f, 0x00, // struct (field i32)
    0x60, 0x01, 0x6f, 0x01, 0x7f, // func (externref) -> i32
    0x60, 0x00, 0x00, // func
  ]),
  ...section(2, [0x01, ...ascii('wasm:js-string'), ...ascii('length'), 0x00, 0x01]),
  ...section(3, [0x01, 0x01]),
  ...section(13, [0x01, 0x00, 0x02]), // tag (type 2)
  ...section(7, [0x01, ...ascii('probe'), 0x00, 0x01]),
  ...section(10, [0x01, ...((body: number[]) => [...leb(body.length), ...body])([
    0x00, // no locals
    0x02, 0x69, // block (result exnref)
    0x1f, 0x40, 0x01, 0x03, 0x00, // try_table, one clause: catch_all_ref 0
    0x08, 0x00, // throw 0
    0x0b, // end try_table
    0x00, // unreachable
    0x0b, // end block
    0x1a, // drop
    0x41, 0x28, // i32.const 40
    0xfb, 0x00, 0x00, // struct.new 0
    0xfb, 0x02, 0x00, 0x00, // struct.get 0 0
    0x20, 0x00, // local.get 0
    0x10, 0x00, // call $length
    0x6a, // i32.add
    0x0b,
  ])]),
]);

/** "Node 24.21.0 (V8 13.6.233.17-node.53)", or the Electron version inside VS Code. */
export function describeRuntime(versions: NodeJS.ProcessVersions = process.versions): string {
  const electron = (versions as NodeJS.ProcessVersions & { electron?: string }).electron;
  const base = `Node ${versions.node} (V8 ${versions.v8})`;
  return electron ? `Electron ${electron}, ${base}` : base;
}

let gcSupport: boolean | undefined;

/**
 * Whether this runtime's V8 validates WasmGC and exnref (Node ≥ 22.22, VS Code ≥ 1.103): when
 * it does not, its verdicts on Clysm output mean nothing.
 */
export function v8SupportsWasmGc(): boolean {
  gcSupport ??= webAssembly().validate(probeModule);
  return gcSupport;
}

export function probeRuntime(): RuntimeProbeResult {
  const runtime = describeRuntime();
  try {
    const wasm = webAssembly();
    const module = new wasm.Module(probeModule, stage0CompileOptions);
    // With no import object, instantiation succeeds only if the engine supplied wasm:js-string.
    const instance = new wasm.Instance(module, {});
    const probe = instance.exports['probe'];
    if (typeof probe !== 'function') throw new Error('the probe module has no probe export');
    const result: unknown = probe('ab');
    if (result !== 42) throw new Error(`the probe returned ${String(result)} instead of 42`);
    return { ok: true, message: `${runtime} runs WasmGC, exnref try_table and the JS String Builtins` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${runtime} cannot run WasmGC: ${reason}; ${runtimeRequirement}` };
  }
}

