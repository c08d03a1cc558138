// The package as a user gets it: `npm pack` of js/, installed from the tarball into a
// fresh folder (a `"type": "module"` project). Once per test process.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL("..", import.meta.url));

let installed;

/** `{ tarball, files, project }`: the packed tarball, the paths it holds, and the
 *  folder it is installed in (`project/node_modules/nks-edge`). */
export function install() {
  installed ??= (async () => {
    const packs = mkdtempSync(join(tmpdir(), "nks-edge-pack-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", packs], { cwd: PACKAGE });
    const [{ filename, files }] = JSON.parse(stdout);
    const tarball = join(packs, filename);
    const project = mkdtempSync(join(tmpdir(), "nks-edge-user-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: project });
    return { tarball, files: files.map((f) => f.path).sort(), project };
  })();
  return installed;
}

/** The `.bin` entries npm linked in `project`. */
export const bins = (project) => readdirSync(join(project, "node_modules", ".bin"));
