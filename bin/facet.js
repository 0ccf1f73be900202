#!/usr/bin/env node
// The `facet` command. TypeScript runs directly through tsx, so a fresh clone works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
