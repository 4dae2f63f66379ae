// Starts the real salepoint binary on 127.0.0.1:0 with a fresh data directory and waits for the
// line that says where it listens; no sleeps.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(here, '..');

export const ADMIN_PASSWORD = 'Adm1n-Test-Passw0rd!';
const STARTUP_DEADLINE_MS = 60_000;
// Seeding the demo chain (with its catalog of ~5,000 products) takes longer in a debug build.
const DEMO_STARTUP_DEADLINE_MS = 240_000;
const RUNNING = /running at (https?:\/\/127\.0\.0\.1:\d+\/)/;

function binaryPath() {
  const fromEnv = process.env.SALEPOINT_BIN;
  return fromEnv ? path.resolve(fromEnv) : path.resolve(E2E_DIR, '../../target/debug/salepoint');
}

/**
 * Starts `salepoint serve`; resolves to { url, stop(), output() } once it listens.
 * `demo: true` adds `--demo` (the demo chain and its catalog on the empty database).
 */
export async function startServer({ demo = false } = {}) {
  const deadline = demo ? DEMO_STARTUP_DEADLINE_MS : STARTUP_DEADLINE_MS;
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(`salepoint binary not found at ${bin}: run \`cargo build\` first or set SALEPOINT_BIN`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salepoint-e2e-data-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...(demo ? ['--demo'] : [])];
  const child = spawn(bin, args, {
    // The demo's 90 days of sales history take minutes in a debug build: the browser tests
    // use the chain with its opening stock only, unless SALEPOINT_DEMO_DAYS says otherwise.
    env: {
      ...process.env,
      SALEPOINT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SALEPOINT_DEMO_DAYS: process.env.SALEPOINT_DEMO_DAYS ?? '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`salepoint did not say "running at" within ${deadline} ms:\n${lines.join('\n')}`));
    }, deadline);
    const watch = (stream, name) => {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(`[${name}] ${line}`);
        if (lines.length > 2000) lines.shift();
        const m = RUNNING.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    };
    watch(child.stdout, 'stdout');
    watch(child.stderr, 'stderr');
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`salepoint exited (code ${code}, signal ${signal}) before listening:\n${lines.join('\n')}`));
    });
  });

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  return { url, stop, output: () => lines.join('\n') };
}
