#!/usr/bin/env node
// The `hasf` command. TypeScript sources are loaded through tsx's loader so that the
// installed package runs from source with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
