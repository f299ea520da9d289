// The Stage 1 report view's HTML: summary, validation, and the diff tables, from the server's
// outcome objects. Pure (no vscode import), so it is unit-tested. Theme-aware through VS Code's
// CSS variables; every value from the outcome is escaped; the page runs one nonce'd script
// whose only job is to post button clicks back to the extension.
import type { FixedPointOutcome, Stage1Outcome, WasmDiffOutcome } from '../../../server/src/protocol';

export interface ReportViewModel {
  generation?: Stage1Outcome;
  fixedPoint?: FixedPointOutcome;
  /** A diff on its own (the diff commands), or the generation's diff. */
  diff?: WasmDiffOutcome;
  /** Why there is no diff. */
  diffProblem?: string;
  title: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const e = escapeHtml;

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function deltaCell(n: number): string {
  const cls = n > 0 ? 'grow' : n < 0 ? 'shrink' : 'same';
  return `<td class="num ${cls}">${e(signed(n))}</td>`;
}

function table(headers: string[], rows: string[], numericFrom = 1): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  const head = headers.map((h, i) => `<th${i >= numericFrom ? ' class="num"' : ''}>${e(h)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function keyValues(pairs: Array<[string, string | undefined]>): string {
  const rows = pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `<tr><th>${e(k)}</th><td>${v}</td></tr>`);
  return `<table class="kv"><tbody>${rows.join('')}</tbody></table>`;
}

function badge(text: string, kind: 'ok' | 'bad' | 'warn' | 'info'): string {
  return `<span class="badge ${kind}">${e(text)}</span>`;
}

function generationSection(o: Stage1Outcome): string {
  const kind = o.status === 'generated' ? (o.validation?.valid ? 'ok' : 'bad') : o.status === 'cancelled' || o.status === 'no-output' ? 'warn' : 'bad';
  const c = o.counts;
  const counts = c
    ? `${c.total} forms: <b>${c.compiled}</b> compiled, <b>${c.failed}</b> failed, <b>${c.skipped}</b> skipped${c.notProcessed ? `, ${c.notProcessed} not processed` : ''}; coverage <b>${c.coveragePct.toFixed(2)}%</b> <span class="muted">(compiled / (total − skipped))</span>` +
      (c.readErrors ? `; ${c.readErrors} read error${c.readErrors === 1 ? '' : 's'} <span class="muted">(not forms, in no count)</span>` : '')
    : undefined;
  const k = o.clysmCounts;
  const clysm = k ? e(`${k.total_forms} total, ${k.compiled} compiled, ${k.failed} failed, ${k.skipped} skipped`) : undefined;
  const out: string[] = [`<h2>Generation ${badge(o.status, kind)}</h2>`, `<p>${e(o.message)}</p>`];
  out.push(keyValues([
    ['Backend', e(o.backend)],
    ['Generator', o.generator ? e(o.generator) : undefined],
    ['Forms', counts],
    ["Clysm's own report", clysm],
    ['Forms validated by', o.formValidator ? e(o.formValidator) : undefined],
    ['Stage 1', o.stage1 ? `<code>${e(o.stage1.path)}</code> — ${o.stage1.size} bytes, sha256 <code>${e(o.stage1.sha256.slice(0, 16))}…</code> ${badge('produced by this run', 'ok')}` : undefined],
    ['Previous Stage 1', o.stage1?.previous ? `<code>${e(o.stage1.previous)}</code>` : undefined],
    ['Not from this run', o.stale ? `<code>${e(o.stale.path)}</code> (${o.stale.size} bytes, modified ${e(o.stale.modified)}) ${badge('stale', 'warn')}` : undefined],
    ['Report', o.reportPath ? `<a href="#" data-command="openReport">${e(o.reportPath)}</a>` : undefined],
    ['Started', e(`${o.startedAt}, took ${o.durationMs} ms`)],
  ]));
  if (o.warnings.length > 0) out.push(`<ul class="warnings">${o.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`);
  if (o.validation) out.push('<h3>Validation</h3>', validationTable(o.validation.verdicts));
  if (o.blockers && o.blockers.length > 0) {
    // The blocker categories: the same words and numbers as the Blockers view and the hovers.
    out.push('<h3>Top blockers</h3>', table(['Category', 'Forms', '% of compilable forms', 'Priority'], o.blockers.map((b) => `<tr><td><code>${e(b.category)}</code></td><td class="num">${b.count}</td><td class="num">${b.impactPct.toFixed(2)}</td><td class="num">${e(b.priority)}</td></tr>`)));
  }
  if (o.topBlockers && o.topBlockers.length > 0) {
    // Clysm's own field, kept for comparison with its report: another grouping, another rule.
    const rows = o.topBlockers.map((b) => `<tr><td><code>${e(b.operator)}</code></td><td class="num">${b.count}</td><td class="num">${e(b.priority)}</td></tr>`);
    out.push(`<details><summary>Clysm's <code>summary.top_blockers</code> field: failing forms by top-level operator (Clysm's grouping and priority rule, not the blocker categories)</summary>${table(['Top-level operator', 'Failing forms', "Clysm's priority"], rows)}</details>`);
  }
  if (o.modules && o.modules.length > 0) {
    const rows = o.modules.map((m) => `<tr><td><code>${e(m.path)}</code></td><td class="num">${m.compiled}</td><td class="num">${m.failed}</td><td class="num">${m.total}</td></tr>`);
    out.push(`<details><summary>Modules (${o.modules.length})</summary>${table(['Module', 'Compiled', 'Failed', 'Total'], rows)}</details>`);
  }
  return out.join('\n');
}

function validationTable(verdicts: NonNullable<Stage1Outcome['validation']>['verdicts']): string {
  return table(['Validator', 'Verdict', 'Offset', 'Message'], verdicts.map((v) => {
    const verdict = !v.ran ? badge('not run', 'info') : v.valid ? badge('valid', 'ok') : badge('invalid', 'bad');
    const offset = v.offset === undefined ? '' : `${v.offset} (0x${v.offset.toString(16)})`;
    return `<tr><td>${e(v.validator)}</td><td>${verdict}</td><td class="num">${e(offset)}</td><td>${e(v.message ?? v.note)}</td></tr>`;
  }), 9);
}

function sizeOrAbsent(n: number | null): string {
  return n === null ? '<span class="muted">absent</span>' : String(n);
}

export function diffSection(d: WasmDiffOutcome): string {
  const { diff, bytes, labels } = d;
  const la = e(labels.a);
  const lb = e(labels.b);
  const out: string[] = [`<h2>${la} → ${lb} ${diff.identical ? badge('structurally identical', 'ok') : badge(`${diff.differences} differences`, 'warn')}</h2>`];
  out.push('<p><button data-command="openTextDiff">Open as text diff</button> <button data-command="openFunctionDiff">Open Function Diff…</button></p>');
  const pct = diff.size.percent === null ? '' : ` (${diff.size.percent > 0 ? '+' : ''}${diff.size.percent.toFixed(1)}%)`;
  out.push(keyValues([
    ['Files', `<code>${e(d.paths.a)}</code> → <code>${e(d.paths.b)}</code>`],
    ['Size', `${diff.size.a} → ${diff.size.b} bytes, <span class="${diff.size.delta > 0 ? 'grow' : diff.size.delta < 0 ? 'shrink' : ''}">${e(signed(diff.size.delta))} bytes${e(pct)}</span>`],
    ['Bytes', bytes.identical ? 'identical' : e(`first difference at offset ${bytes.firstDiffOffset} (0-based, 0x${(bytes.firstDiffOffset ?? 0).toString(16)}), ${bytes.diffBytes} differing bytes in ${bytes.regionCount} regions`)],
    ['Types', e(`${diff.types.count.a} → ${diff.types.count.b} (${signed(diff.types.count.delta)}), rec groups ${diff.types.recGroups.a} → ${diff.types.recGroups.b}`)],
    ['Functions', e(`${diff.counts.functions.a} → ${diff.counts.functions.b} (${signed(diff.counts.functions.delta)}); body bytes ${diff.functions.bodyBytes.a} → ${diff.functions.bodyBytes.b}`)],
  ]));
  const ex = diff.exports;
  out.push(`<h3>Exports ${ex.a} → ${ex.b}</h3>`);
  const exportRows = [
    ...ex.missing.map((x) => `<tr class="missing"><td>missing in ${lb}</td><td><code>${e(x.name)}</code></td><td>${e(x.kind)}</td><td><code>${e(x.signature ?? '')}</code></td></tr>`),
    ...ex.added.map((x) => `<tr class="added"><td>new in ${lb}</td><td><code>${e(x.name)}</code></td><td>${e(x.kind)}</td><td><code>${e(x.signature ?? '')}</code></td></tr>`),
    ...ex.changed.map((x) => `<tr class="changed"><td>changed</td><td><code>${e(x.name)}</code></td><td>${e(x.a.kind)} → ${e(x.b.kind)}</td><td><code>${e(x.a.signature ?? '')}</code> → <code>${e(x.b.signature ?? '')}</code></td></tr>`),
  ];
  out.push(table(['Change', 'Name', 'Kind', 'Signature'], exportRows, 9));
  const im = diff.imports;
  out.push(`<h3>Imports ${im.a} → ${im.b}</h3>`);
  out.push(table(['Change', 'Module', 'Name', 'Type'], [
    ...im.missing.map((x) => `<tr class="missing"><td>missing in ${lb}</td><td><code>${e(x.module)}</code></td><td><code>${e(x.name)}</code></td><td><code>${e(x.type)}</code></td></tr>`),
    ...im.added.map((x) => `<tr class="added"><td>new in ${lb}</td><td><code>${e(x.module)}</code></td><td><code>${e(x.name)}</code></td><td><code>${e(x.type)}</code></td></tr>`),
    ...im.changed.map((x) => `<tr class="changed"><td>changed</td><td><code>${e(x.module)}</code></td><td><code>${e(x.name)}</code></td><td><code>${e(x.a.type)}</code> → <code>${e(x.b.type)}</code></td></tr>`),
  ], 9));
  out.push('<h3>Sections</h3>', table(['Section', la, lb, 'Delta'], diff.sections.map((s) => `<tr><td><code>${e(s.name)}</code></td><td class="num">${sizeOrAbsent(s.a)}</td><td class="num">${sizeOrAbsent(s.b)}</td>${deltaCell(s.delta)}</tr>`)));
  const counts = Object.entries(diff.counts).filter(([, c]) => c.a !== 0 || c.b !== 0);
  out.push('<h3>Counts</h3>', table(['Item', la, lb, 'Delta'], counts.map(([k, c]) => `<tr><td>${e(k)}</td><td class="num">${c.a}</td><td class="num">${c.b}</td>${deltaCell(c.delta)}</tr>`)));
  if (diff.types.onlyInA.length + diff.types.onlyInB.length > 0) {
    const list = (items: string[], cls: string): string => items.slice(0, 50).map((t) => `<li class="${cls}"><code>${e(t)}</code></li>`).join('') + (items.length > 50 ? `<li class="muted">… ${items.length - 50} more</li>` : '');
    out.push(`<details><summary>Types only in ${la} (${diff.types.onlyInA.length}) / only in ${lb} (${diff.types.onlyInB.length})</summary><ul>${list(diff.types.onlyInA, 'missing')}${list(diff.types.onlyInB, 'added')}</ul></details>`);
  }
  const fn = diff.functions;
  const paired = fn.pairedBy.export + fn.pairedBy.name + fn.pairedBy.index;
  out.push(`<h3>Functions</h3><p>${paired} paired (${fn.pairedBy.export} by export name, ${fn.pairedBy.name} by name section, ${fn.pairedBy.index} by index); ${fn.changed} changed, ${fn.added} added, ${fn.removed} removed</p>`);
  const names = (title: string, labels: string[], total: number, cls: string): string =>
    total === 0 ? '' : `<p class="${cls}">${title} (${total}): ${labels.map((l) => `<code>${e(l)}</code>`).join(', ')}${total > labels.length ? ` <span class="muted">… and ${total - labels.length} more</span>` : ''}</p>`;
  out.push(names('Changed', fn.listed.changed, fn.changed, ''), names('Added', fn.listed.added, fn.added, 'added'), names('Removed', fn.listed.removed, fn.removed, 'missing'));
  out.push('<h3>Largest function body changes</h3>');
  const how = { export: 'by export name', name: 'by name section', index: 'by index' } as const;
  out.push(table(['Function', 'Paired', la, lb, 'Delta'], fn.largest.map((f) => {
    const cls = f.indexA === null ? 'added' : f.indexB === null ? 'missing' : '';
    const pairedBy = f.pairedBy ? how[f.pairedBy] : f.indexA === null ? `new in ${labels.b}` : `missing in ${labels.b}`;
    return `<tr class="${cls}"><td><code>${e(f.key)}</code></td><td>${e(pairedBy)}</td><td class="num">${sizeOrAbsent(f.a)}</td><td class="num">${sizeOrAbsent(f.b)}</td>${deltaCell(f.delta)}</tr>`;
  }), 2));
  return out.join('\n');
}

function fixedPointSection(f: FixedPointOutcome): string {
  const kind = f.status === 'achieved' ? 'ok' : f.status === 'not-achieved' || f.status === 'failed' || f.status === 'stage1-invalid' ? 'bad' : 'warn';
  const out: string[] = [`<h2>Fixed point ${badge(f.status, kind)}</h2>`, `<p>${e(f.message)}</p>`];
  out.push(keyValues([
    ['Stage 1', f.stage1 ? `<code>${e(f.stage1.path)}</code> — ${f.stage1.size} bytes` : undefined],
    ['Stage 1 exports', f.probe ? `<code>${e(f.probe.exports.join(', ') || 'nothing')}</code>` : undefined],
    ['Stage 1 imports', f.probe ? `<code>${e(f.probe.imports.join(', ') || 'nothing')}</code>` : undefined],
    ['Stage 2', f.stage2 ? `<code>${e(f.stage2.path)}</code> — ${f.stage2.size} bytes ${badge('produced by this run', 'ok')}` : undefined],
    ['First difference', f.comparison && !f.comparison.identical ? e(`byte offset ${f.comparison.firstDiffOffset} (0-based), ${f.comparison.diffBytes} differing bytes, size ${signed(f.comparison.sizeDelta)}`) : undefined],
  ]));
  if (f.comparison && f.comparison.regions.length > 0) {
    out.push(table(['Region start (0-based)', 'Length'], f.comparison.regions.slice(0, 20).map((r) => `<tr><td class="num">${r.start}</td><td class="num">${r.length}</td></tr>`), 0));
  }
  if (f.structural) out.push(diffSection(f.structural));
  return out.join('\n');
}

const styles = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 1.5em 2em; line-height: 1.4; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: .2em; margin-top: 1.6em; } h3 { font-size: 1.05em; margin-top: 1.2em; }
table { border-collapse: collapse; margin: .4em 0; } th, td { text-align: left; padding: .15em .7em; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: top; }
th { font-weight: 600; } table.kv th { color: var(--vscode-descriptionForeground); white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0 .2em; border-radius: 3px; }
.muted { color: var(--vscode-descriptionForeground); }
.grow { color: var(--vscode-charts-orange); } .shrink { color: var(--vscode-charts-green); }
tr.missing td, li.missing { color: var(--vscode-errorForeground); } tr.missing { background: var(--vscode-diffEditor-removedLineBackground, transparent); }
tr.added td, li.added { color: var(--vscode-gitDecoration-addedResourceForeground); } tr.added { background: var(--vscode-diffEditor-insertedLineBackground, transparent); }
tr.changed td { color: var(--vscode-gitDecoration-modifiedResourceForeground); }
.badge { font-size: .8em; padding: .1em .5em; border-radius: 1em; margin-left: .4em; vertical-align: middle; border: 1px solid currentColor; }
.badge.ok { color: var(--vscode-testing-iconPassed); } .badge.bad { color: var(--vscode-testing-iconFailed); } .badge.warn { color: var(--vscode-editorWarning-foreground); } .badge.info { color: var(--vscode-descriptionForeground); }
ul.warnings li { color: var(--vscode-editorWarning-foreground); }
button { font-family: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: .3em .9em; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
a { color: var(--vscode-textLink-foreground); }
`;

/** The whole page. `cspSource` is the webview's; `nonce` guards the one script and the style. */
export function renderReportHtml(model: ReportViewModel, cspSource: string, nonce: string): string {
  const body: string[] = [`<h1>${e(model.title)}</h1>`];
  if (model.generation) body.push(generationSection(model.generation));
  if (model.fixedPoint) body.push(fixedPointSection(model.fixedPoint));
  if (model.diff) body.push(diffSection(model.diff));
  else if (model.diffProblem) body.push(`<h2>Diff</h2><p>${badge('no diff', 'warn')} ${e(model.diffProblem)}</p>`);
  const csp = `default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${cspSource};`;
  const script = `const vscode = acquireVsCodeApi();
vscode.postMessage({ command: 'ready' });
document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-command]');
  if (!target) return;
  event.preventDefault();
  vscode.postMessage({ command: target.getAttribute('data-command') });
});`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${styles}</style>
<title>${e(model.title)}</title></head>
<body>
${body.join('\n')}
<script nonce="${nonce}">${script}</script>
</body></html>`;
}
