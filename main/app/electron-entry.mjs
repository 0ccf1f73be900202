// Electron's main script: TypeScript runs through tsx, as in the CLI (bin/facet.js).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
