import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

export const archCommand = defineCommand({
  summary: "print a FaceNet network's layer table: output sizes, parameters, FLOPs (NN1, NN2, NN3, NN4, NNS1, NNS2)",
  usage: 'facet arch NAME [--json]',
  async run({ args, json, out }) {
    const [name] = args;
    if (!name) throw new UsageError('name a network: NN1, NN2, NN3, NN4, NNS1 or NNS2');
    const { archTable, formatArchTable } = await import('../../../native-models/facenet/index.ts');
    const table = archTable(name as Parameters<typeof archTable>[0]);
    out(json ? JSON.stringify(table) : formatArchTable(table));
    return 0;
  },
});
