// Which item a position in a document designates, for the hover: exactly one, the most specific.
// Pure, so the boundary cases are unit-tested.

interface Extent {
  form: { start: number; end: number };
}

/**
 * The item under `offset` (0-based, UTF-16; `end` is exclusive). The character at `offset`
 * decides: at `…))` where a form ends and a stray `)` begins, the `)` is meant, never both.
 * Only when no item covers that character does the item ending right there count, so a hover
 * just after a form's last `)` (at the end of a line) still finds it. Top-level items never
 * nest, so the first match is the only one.
 */
export function itemAtOffset<T extends Extent>(items: readonly T[], offset: number): T | undefined {
  return items.find((i) => i.form.start <= offset && offset < i.form.end) ?? items.find((i) => i.form.end === offset);
}
