import { vi } from 'vitest';
import { main } from '../../src/cli.js';

/** What one CLI run printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with `env` as its only settings (no .env); resolves with the exit code and what it printed. */
export async function runMain(args: string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${parts.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
  try {
    return { code: await main(args, env), stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
