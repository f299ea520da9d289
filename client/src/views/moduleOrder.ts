// How the Modules view orders its rows: module-list order (the compile order), least coverage
// first, or most failures first. Pure, so each order is unit-tested.
import type { ModuleRow } from '../../../server/src/protocol';

export type ModuleOrder = 'list' | 'coverage' | 'failures';

export const MODULE_ORDERS: readonly { order: ModuleOrder; label: string; detail: string }[] = [
  { order: 'list', label: 'Module-list order', detail: 'The compile order; form ids are numbered in it' },
  { order: 'coverage', label: 'Lowest coverage first', detail: 'compiled / (total − skipped), ascending' },
  { order: 'failures', label: 'Most failures first', detail: 'Failing forms, descending' },
];

export function isModuleOrder(value: unknown): value is ModuleOrder {
  return MODULE_ORDERS.some((o) => o.order === value);
}

/** Rows without counts (not analysed, unreadable) sort last in the coverage and failure orders. */
const hasCounts = (row: ModuleRow): boolean => row.analysed && !row.problem;

export function sortModules(rows: readonly ModuleRow[], order: ModuleOrder): ModuleRow[] {
  const byList = (a: ModuleRow, b: ModuleRow) => a.moduleIndex - b.moduleIndex;
  if (order === 'list') return [...rows].sort(byList);
  const key = order === 'coverage' ? (r: ModuleRow) => r.coveragePct : (r: ModuleRow) => -r.failed;
  return [...rows].sort((a, b) => Number(hasCounts(b)) - Number(hasCounts(a)) || (hasCounts(a) ? key(a) - key(b) : 0) || byList(a, b));
}

/** "src/app": the module's folder, which tells apart modules that share a file name. */
export function moduleFolder(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}
