import { archTable, formatArchTable } from '../../../native-models/facenet/index.ts';
import type { Command } from '../main.ts';

export const archCommand: Command = {
  summary: "print a FaceNet network's layer table: output sizes, parameters, FLOPs (NN1, NN2, NN3, NN4, NNS1, NNS2)",
  usage: 'facet arch NAME [--json]',
  async run({ args, json, out }) {
    const [name] = args;
    if (!name) throw new Error(`usage: ${this.usage}`);
    const table = archTable(name as Parameters<typeof archTable>[0]);
    out(json ? JSON.stringify(table) : formatArchTable(table));
    return 0;
  },
};
