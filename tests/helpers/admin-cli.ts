// Runs the real admin CLI (`npm run admin -- …`) as a child process on a scratch embedded
// database of its own, the way a person would: exit code, stdout and stderr.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AdminCli {
  run(args: string[]): Promise<AdminRun>;
  /** Removes the scratch database. */
  remove(): void;
}

/** A CLI bound to a new scratch PGlite directory (never the test's DATABASE_URL). */
export function adminCli(): AdminCli {
  const dir = mkdtempSync(path.join(tmpdir(), "7stamp-cli-"));
  return {
    run: async (args) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PGLITE_DIR: dir,
        LOG_LEVEL: "silent",
        NODE_ENV: "test",
      };
      delete env.DATABASE_URL;
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      let stdout = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.stdout.on("data", (chunk) => (stdout += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      return { code, stdout, stderr };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
