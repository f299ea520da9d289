// The one WebAssembly assembler of the tests: it builds the fixture Stage 0 and its variants
// (test/fixtures/stage0/), and the modules of the section-reader, diff and bench code. Written
// for this project so the test build needs no wabt/binaryen (neither handles WasmGC reliably;
// see docs/stage0-abi.md).
export { ByteWriter, name, s32, u32, utf8, vec, type Bytes } from './encoding';
export { array, func, heap, ref, refHeap, struct, vt, type Composite, type Field, type SubType, type ValType } from './types';
export { Code, constExpr, type BlockType, type Catch } from './code';
export { ModuleBuilder, type BuildManifest, type BuiltModule, type BuiltSection, type ExportKind, type ImportResolver } from './moduleBuilder';
export { buildClysmLike, buildStartBeforeCompileForm, buildSyntheticGcModule, CLYSM_LIKE_TYPES, type ClysmLikeOptions, type SyntheticOptions } from './sampleModules';
