/**
 * The process entry of the `hasf` command: runs `main` on the process's arguments.
 * bin/hasf.js loads it from the sources (tsx) in a development checkout; the build's
 * dist/hasf.js loads its compiled twin with no TypeScript loader at all.
 */
import { serverReexec } from './runtime-flags.ts';

// serve/worker first become themselves with a lean heap (see runtime-flags.ts); before
// anything else is loaded, so the replaced process did no work.
const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
const again = serverReexec({ argv: process.argv, execArgv: process.execArgv, execPath: process.execPath, env: process.env, hasExecve: typeof execve === 'function' });
if (again) execve!.call(process, again.file, again.args, again.env);

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
