// Parse AsyncAPI documents with the AsyncAPI project's own parser and print its diagnostics as JSON.
// Usage: node tools/asyncapi/validate.mjs FILE...   (install first: bash deploy/install-tools.sh asyncapi)
// Prints [{"file", "parser", "valid", "diagnostics": [{"severity", "code", "message", "path"}]}] on stdout;
// exits 1 when a document has a diagnostic of severity error (or cannot be parsed at all), 2 when a file cannot
// be read or no file is named.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Parser } from '@asyncapi/parser';

const require = createRequire(import.meta.url);
const VERSION = require('@asyncapi/parser/package.json').version;
const SEVERITIES = ['error', 'warning', 'information', 'hint'];  // Spectral's DiagnosticSeverity 0..3

async function check(parser, file) {
  const { document, diagnostics } = await parser.parse(await readFile(file, 'utf8'), { source: file });
  const found = diagnostics.map((d) => ({
    severity: SEVERITIES[d.severity] ?? String(d.severity),
    code: String(d.code),
    message: d.message,
    path: d.path.join('/'),
  }));
  const valid = document !== undefined && !found.some((d) => d.severity === 'error');
  return { file, parser: VERSION, valid, diagnostics: found };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tools/asyncapi/validate.mjs FILE...');
  process.exit(2);
}
const parser = new Parser();
const results = [];
for (const file of files) {
  try {
    results.push(await check(parser, file));
  } catch (error) {
    console.error(`validate.mjs: ${file}: ${error.message}`);
    process.exit(2);
  }
}
console.log(JSON.stringify(results, null, 2));
process.exit(results.every((r) => r.valid) ? 0 : 1);
