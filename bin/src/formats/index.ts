// Prints a clysm-check report in the format asked for with --format (or --json).
import * as path from 'node:path';
import { formatCheckReportText, type CheckReport } from '../../../server/src/report/checkReport';
import { GENERATOR_VERSION } from '../../../server/src/report/stage1Report';
import { toGithubAnnotations } from './github';
import type { OutputFormat } from './outputFormat';
import { toSarif } from './sarif';

/** The whole stdout of a check run, newline-terminated. */
export function formatCheckOutput(report: CheckReport, format: OutputFormat, workspace: string): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'sarif': return `${JSON.stringify(toSarif(report, workspace, { name: 'clysm-check', version: GENERATOR_VERSION }), null, 2)}\n`;
    // Annotations name files relative to the repository, which is where the workflow runs.
    case 'github': return `${toGithubAnnotations(report, (file) => path.relative(process.cwd(), path.resolve(workspace, file)).split(path.sep).join('/'))}\n`;
    case 'text': return `${formatCheckReportText(report)}\n`;
  }
}
