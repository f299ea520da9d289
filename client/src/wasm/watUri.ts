// The URIs of Show Wasm documents: `clysm-wat:/<module file>/<form id> <name>.wat`, so the tab
// says which module and form the text belongs to. Pure.
export const WAT_SCHEME = 'clysm-wat';

/** The document path for a form: its module's path, then the form id and name. */
export function watPath(file: string, formId: string, name: string | null): string {
  const safeName = (name ?? '').replace(/[\\/:*?"<>|]/g, '_');
  return `/${file}/${formId.replace(':', '.')}${safeName ? ` ${safeName}` : ''}.wat`;
}

/** The form id a document path was made for (its query holds it verbatim). */
export function formIdOfQuery(query: string): string | undefined {
  return /^\d+:\d+$/.test(query) ? query : undefined;
}
