// The TypeScript types against what the package really is: the methods `index.d.ts`
// declares on NksClient, the methods the built package defines (one per entry of the
// wasm's operation table), the policy methods `policy/index.d.ts` adds and those the
// `nks-edge/policy` client defines, the error kinds the Rust side
// produces and the option keys it accepts. Any mismatch fails: a method, kind or
// option added on one side only cannot ship.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { NksClient } from "nks-edge"; // initializes the wasm and defines the methods
import * as policyEntry from "nks-edge/policy";
import { operationNames } from "../pkg/nks_edge.js";
import { operationNames as policyOperationNames } from "../pkg-policy/nks_edge.js";

const read = (path) => readFileSync(new URL(path, import.meta.url), "utf8");
const parse = (path) => ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true);
const source = parse("../index.d.ts");

/** Top-level declarations of index.d.ts by name. */
const declarations = new Map();
source.statements.forEach((s) => s.name && declarations.set(s.name.text, s));

const sorted = (items) => [...new Set(items)].sort();

/** Member names of a type: its own properties, through unions, intersections and aliases. */
function keysOf(node) {
  if (!node) return [];
  if (ts.isTypeAliasDeclaration(node)) return keysOf(node.type);
  if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
    return node.members.filter((m) => m.name && !ts.isIndexSignatureDeclaration(m)).map((m) => m.name.text);
  }
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) return node.types.flatMap(keysOf);
  if (ts.isTypeReferenceNode(node)) return keysOf(declarations.get(node.typeName.text));
  return [];
}

/** String literals of a union type alias. */
function literalsOf(name) {
  const alias = declarations.get(name);
  assert.ok(alias && ts.isTypeAliasDeclaration(alias), `${name} is a type alias in index.d.ts`);
  const types = ts.isUnionTypeNode(alias.type) ? alias.type.types : [alias.type];
  return types.filter((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)).map((t) => t.literal.text);
}

const methodsOf = (klass) => Object.getOwnPropertyNames(klass.prototype).filter((n) => n !== "constructor");

test("NksClient's methods: the d.ts, the built package and the wasm's operation table agree", () => {
  const operations = operationNames();
  assert.ok(operations.length >= 38, "the whole current guide");
  assert.equal(new Set(operations).size, operations.length, "each operation once");

  const klass = declarations.get("NksClient");
  assert.ok(klass && ts.isClassDeclaration(klass));
  const declared = klass.members.filter(ts.isMethodDeclaration).map((m) => m.name.text);
  assert.deepEqual(sorted(declared), sorted(methodsOf(NksClient)), "index.d.ts declares exactly the methods the package defines");
  assert.deepEqual(sorted(operations), sorted(methodsOf(NksClient)), "one method per operation, nothing else");
});

test("nks-edge/policy: the same operations, and the policy methods its d.ts declares", () => {
  assert.deepEqual(policyOperationNames(), operationNames(), "both wasm builds have the whole API");
  const base = Object.getPrototypeOf(policyEntry.NksClient);
  assert.deepEqual(sorted(methodsOf(base)), sorted(operationNames()));
  const policySource = parse("../policy/index.d.ts");
  const added = policySource.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === "NksClient");
  assert.ok(added, "policy/index.d.ts extends NksClient");
  const declared = added.members.filter(ts.isMethodSignature).map((m) => m.name.text);
  assert.deepEqual(sorted(declared), sorted(methodsOf(policyEntry.NksClient)));
  assert.deepEqual(sorted(declared), ["plan", "reconcile", "status"]);
  const functions = policySource.statements.filter(ts.isFunctionDeclaration).map((f) => f.name.text);
  const exported = Object.keys(policyEntry).filter((k) => typeof policyEntry[k] === "function" && !/^[A-Z]/.test(k));
  assert.deepEqual(sorted(functions), sorted(exported), "validatePolicy and calendar, declared and exported");
});

test("error kinds: the d.ts union is the Rust ErrorKind's names", () => {
  const rust = read("../../src/error.rs");
  const body = rust.slice(rust.indexOf("pub fn as_str"), rust.indexOf("}\n}", rust.indexOf("pub fn as_str")));
  const kinds = [...body.matchAll(/ErrorKind::\w+ => "(\w+)"/g)].map((m) => m[1]);
  const variants = rust.slice(rust.indexOf("pub enum ErrorKind"), rust.indexOf("}", rust.indexOf("pub enum ErrorKind")));
  assert.equal(kinds.length, [...variants.matchAll(/^\s+[A-Z]\w*,/gm)].length, "every variant has a name");
  assert.deepEqual(sorted(literalsOf("ErrorKind")), sorted(kinds));
});

test("options: the d.ts keys are the keys ClientOptions accepts (and only those)", () => {
  const rust = read("../../src/config.rs");
  const start = rust.indexOf("pub struct ClientOptions");
  const fields = [...rust.slice(start, rust.indexOf("\n}", start)).matchAll(/pub (\w+):/g)]
    .map((m) => m[1].replace(/_(\w)/g, (_, c) => c.toUpperCase()));
  const declared = keysOf(declarations.get("NksClientOptions"));
  assert.deepEqual(sorted(declared), sorted(fields));
  // The wasm refuses what the d.ts does not declare.
  assert.throws(() => new NksClient({ endpoint: "http://127.0.0.1:1", token: "t", timeout: 5 }), /timeout/);
  // Exactly one of token / identity / accessKey.
  assert.throws(() => new NksClient({ endpoint: "http://127.0.0.1:1", token: "t", accessKey: "k" }));
  assert.ok(new NksClient({ endpoint: "http://127.0.0.1:1", accessKey: "k" }));
});

test("NksError carries field and issues in the d.ts", () => {
  const error = declarations.get("NksError");
  const members = error.members.map((m) => m.name?.text);
  for (const name of ["kind", "status", "title", "detail", "requestId", "field", "issues"]) {
    assert.ok(members.includes(name), `NksError.${name} is declared`);
  }
  assert.deepEqual(sorted(keysOf(declarations.get("FieldIssue"))), ["field", "message"]);
});
