// `clysm-check --format sarif`: a SARIF 2.1.0 log, one result per failing form, its rule the
// blocker category, located in the module file (relative to the workspace, %SRCROOT%), so
// code-scanning services and SARIF viewers show each blocker on its form.
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { recommendation } from '../../../server/src/blockers';
import type { CheckReport } from '../../../server/src/report/checkReport';
import { coverageLine, failingForms, messageOf, type FailingForm } from './failingForms';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

export interface SarifTool {
  name: string;
  version: string;
}

function rule(category: string): Sarif.ReportingDescriptor {
  const help = recommendation(category);
  return {
    id: category,
    shortDescription: { text: `Clysm cannot compile this form yet: ${category}` },
    fullDescription: { text: help },
    help: { text: help },
    defaultConfiguration: { level: 'error' },
  };
}

function result({ form, category, regression }: FailingForm, ruleIndex: number): Sarif.Result {
  const subject = [form.operator, form.name].filter((s) => s !== null).join(' ');
  const text = `${regression ? 'Regression (compiled in the baseline): ' : ''}${subject ? `${subject}: ` : ''}${messageOf(form)}`;
  return {
    ruleId: category,
    ruleIndex,
    level: 'error',
    message: { text },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: form.file.split('\\').join('/'), uriBaseId: SRCROOT },
        region: { startLine: form.line, startColumn: form.column, endLine: form.end_line, endColumn: form.end_column },
      },
    }],
    properties: { formId: form.id, status: form.status, regression },
  };
}

/** The SARIF log of `report`, whose module paths are relative to `workspace` (absolute). */
export function toSarif(report: CheckReport, workspace: string, tool: SarifTool): Sarif.Log {
  const failing = failingForms(report);
  const categories = [...new Set(failing.map((f) => f.category))].sort();
  const srcRoot = pathToFileURL(workspace.endsWith('/') ? workspace : `${workspace}/`).href;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: tool.name, semanticVersion: tool.version, rules: categories.map(rule) } },
      originalUriBaseIds: { [SRCROOT]: { uri: srcRoot } },
      columnKind: 'utf16CodeUnits',
      invocations: [{
        executionSuccessful: true,
        // Module-level problems (a listed module missing, ...) are about the run, not a form.
        toolExecutionNotifications: [
          ...report.problems.map((p): Sarif.Notification => ({ level: 'warning', message: { text: `${p.file}: ${p.message}` } })),
          { level: 'note', message: { text: coverageLine(report) } },
        ],
      }],
      results: failing.map((f) => result(f, categories.indexOf(f.category))),
    }],
  };
}
