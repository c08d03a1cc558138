// The README's TypeScript quick start, as a reader copies it: it passes `tsc --strict`
// (with Node's types, as a TypeScript project on Node has them), and the JavaScript
// tsc emits runs as printed against the emulator, its environment set as the README
// says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { reset, SIGNED_IN } from "./emulator.mjs";

const here = new URL(".", import.meta.url).pathname;
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

test("the README's TypeScript quick start passes tsc --strict and runs as printed", async () => {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 1, "one TypeScript block");
  // Inside js/test, so that "nks-edge" resolves to the package as installed here.
  const dir = mkdtempSync(`${here}.readme-`);
  try {
    writeFileSync(`${dir}/quickstart.mts`, blocks[0]);
    execFileSync(
      `${here}node_modules/.bin/tsc`,
      ["--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext",
       "--types", "node", "--outDir", dir, `${dir}/quickstart.mts`],
      { cwd: here, encoding: "utf8" },
    );
    await reset();
    const out = execFileSync(process.execPath, [`${dir}/quickstart.mjs`], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        ...SIGNED_IN,
      },
    });
    const lines = out.trim().split("\n");
    assert.ok(lines.some((l) => l.startsWith("prod CREATE_COMPLETE v1.")), out);
    assert.match(lines.at(-1), /^not_found \(HTTP 404\): .*no-such-cluster.* req-/, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
