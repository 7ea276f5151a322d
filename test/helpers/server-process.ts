// Starts the real server as a child process (npm start, node on the sources or on the build) and
// makes sure no child outlives its test: every start is tracked and `killAll` (run after each
// test) SIGKILLs what is still running — a start that timed out included.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

/** A cold first start on a loaded 2-core machine (8 test workers at once) can take a minute. */
export const START_TIMEOUT_MS = 150_000;

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  /** The base URL the banner printed. */
  url: string;
  port: number;
}

const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGKILL every child a test started and did not stop (its process group: npm's child too). */
export async function killAll(): Promise<void> {
  const children = [...running];
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  })));
}

/** Spawn a command in its own process group (so killAll reaches npm's node child too). */
export function spawnServer(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = track(spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Spawn and wait for the banner; on a timeout or an early exit the child is killed and the output shown. */
export async function startServer(command: string, args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const { child, output } = spawnServer(command, args, env);
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      clearInterval(poll);
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      void killAll().then(() => reject(new Error(`${message}:\n${output()}`)));
    };
    const onExit = (code: number | null) => fail(`server exited with ${code} before it was ready`);
    const timer = setTimeout(() => fail(`server not ready within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const listening = /listening on (http:\/\/[^\s:]+:(\d+)) /.exec(output());
      // The banner is printed in one write; wait for its last line.
      if (listening && /OpenAPI spec:.*\n(.*\n)*\n/.test(output())) {
        clearInterval(poll);
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve({ child, output, url: listening[1]!, port: Number(listening[2]) });
      }
    }, 50);
  });
}

/** Send a signal to the process we started (npm itself for `npm start`) and wait for it to exit. */
export function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    child.kill(signal);
  });
}

/** Whether nothing listens on the port any more (we can listen on it ourselves). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Whether any process in the child's process group is still alive (npm's node child included). */
/**
 * Whether the child's process group is gone within `withinMs`: npm reports its exit as soon as its
 * own child has exited, and on a loaded machine the last process of the group may take a moment
 * longer to be reaped. A process still there after that is an orphan.
 */
export async function groupGone(child: ChildProcess, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (groupAlive(child)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}
