// Public surface of the reader: pure functions over document text, no I/O, never throwing.

export { LineIndex } from './lineIndex';
export {
  DEFAULT_PACKAGE,
  findFormAt,
  inPackageTarget,
  innerOperators,
  packageAt,
  readTopLevelForms,
} from './forms';
export {
  type Datum,
  type DatumKind,
  type ReaderOptions,
  datumName,
  listElements,
  prefixedDatum,
  readDatumAt,
} from './datum';
export { SBCL_FEATURES, evaluateFeatureExpression } from './features';
export { isNumberToken, stringValue, symbolName } from './symbols';
