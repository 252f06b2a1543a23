#!/usr/bin/env node
// Validates Azure Pipelines YAML files against the pipeline schema with the language service the
// Azure Pipelines extension for VS Code uses (npm: azure-pipelines-language-service).
// Usage: node validate-azure.js <schema.json> <pipeline.yml>...
// Exit code: 0 when no file has a problem, 1 when one has, 2 on bad usage.
"use strict";
const fs = require("fs");
const path = require("path");

// The service prints debugging lines of its own on the console; only this script's lines count.
const print = console.log;
console.log = () => {};

const service = require("azure-pipelines-language-service");
const { TextDocument } = require("vscode-languageserver-textdocument");

const [schemaFile, ...files] = process.argv.slice(2);
if (!schemaFile || files.length === 0) {
  console.error("usage: node validate-azure.js <schema.json> <pipeline.yml>...");
  process.exit(2);
}

const schemaUri = "file://" + path.resolve(schemaFile);
const schema = service.ParseSchema(fs.readFileSync(schemaFile, "utf8"));
const language = service.getLanguageService(async () => schema, [], async () => schemaUri);
language.configure({ validate: true, schemas: [{ uri: schemaUri, fileMatch: ["*"] }] });

(async () => {
  let problems = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const document = TextDocument.create("file://" + path.resolve(file), "yaml", 1, text);
    // Schema violations come back as warnings, syntax errors as errors: both fail the file.
    const found = await language.doValidation(document, service.parse(text));
    print(`${file}: ${found.length === 0 ? "valid" : `${found.length} problem(s)`}`);
    for (const problem of found) {
      print(`  ${file}:${problem.range.start.line + 1}:${problem.range.start.character + 1}: ${problem.message}`);
    }
    problems += found.length;
  }
  process.exit(problems === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
