// The output formats of `clysm-check --format`: one list, read by the argument parser and the printer.
export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
