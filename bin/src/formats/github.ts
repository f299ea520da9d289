// `clysm-check --format github`: GitHub Actions workflow commands, one `::error` annotation per
// failing form, so each blocker shows on its line in the pull request.
import { coverageLine, failingForms, messageOf } from './failingForms';
import type { CheckReport } from '../../../server/src/report/checkReport';

/** Message text of a workflow command: `%`, CR and LF are escaped, as the runner expects. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: also `:` and `,`, which separate the properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/** The annotations of `report`; `filePath` turns a module path (relative to the workspace) into one relative to the repository. */
export function toGithubAnnotations(report: CheckReport, filePath: (file: string) => string): string {
  const lines = failingForms(report).map(({ form, category, regression }) =>
    command('error', {
      file: filePath(form.file),
      line: form.line,
      col: form.column,
      endLine: form.end_line,
      endColumn: form.end_column,
      title: `Clysm ${regression ? 'regression' : 'blocker'}: ${category}`,
    }, messageOf(form)));
  for (const p of report.problems) lines.push(command('warning', { file: filePath(p.file), title: 'Clysm module' }, p.message));
  lines.push(command('notice', { title: 'Clysm' }, coverageLine(report)));
  return lines.join('\n');
}
