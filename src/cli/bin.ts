/**
 * The process entry of the `hasf` command: runs `main` on the process's arguments.
 * bin/hasf.js loads it from the sources (tsx) in a development checkout; the build's
 * dist/hasf.js loads its compiled twin with no TypeScript loader at all.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
