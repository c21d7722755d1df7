// The daemon bench's in-process replay, in a process of its own so it runs as `listwarden replay` does: the
// compiled code (LISTWARDEN_BENCH_CODE=dist) under the bin's V8 flags. The same pipeline with the memory store, one
// post after another; warmed up on the whole archive first (measured early, JIT warm-up alone moves the ratio 2×).
//   node [FLAGS] --import tsx bench/daemon-replay.ts CONFIG ARCHIVE   (started by bench/daemon-bench.ts, over IPC)

import { readFileSync } from 'node:fs';
import { benchModule, collectGarbage, splitMbox, type ReplayMessage } from './daemon-common.js';

const { createLogger } = await benchModule<typeof import('../src/log.js')>('log.js');
const { createPipeline } = await benchModule<typeof import('../src/pipeline/index.js')>('pipeline/index.js');
const { MemoryThreadStore } = await benchModule<typeof import('../src/threads/memory-store.js')>('threads/memory-store.js');
const { loadDaemonConfig } = await benchModule<typeof import('../src/daemon/index.js')>('daemon/index.js');

const [configPath, archive] = process.argv.slice(2);
if (!configPath || !archive || !process.send) {
  process.stderr.write('usage: started by bench/daemon-bench.ts with an IPC channel: daemon-replay.ts CONFIG ARCHIVE\n');
  process.exit(2);
}
const send = (m: ReplayMessage): void => {
  process.send?.(m);
};
const log = createLogger('warn');
const { config } = await loadDaemonConfig(configPath, process.env);
const raws = splitMbox(readFileSync(archive, 'utf8'));

/** One replay of the archive from empty state: posts/s and CPU ms/post. */
async function replayOnce(): Promise<{ rate: number; cpuMs: number }> {
  // The previous run's thread state and garbage collected outside the measured part, as the workers' warm-up is.
  collectGarbage();
  const pipeline = createPipeline(config, { store: new MemoryThreadStore(), log });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const raw of raws) await pipeline.processRaw(raw);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: raws.length / seconds, cpuMs: (cpu.user + cpu.system) / 1000 / raws.length };
}

await replayOnce();
process.on('message', (m: ReplayMessage) => {
  if (m.type === 'replay') void replayOnce().then((r) => send({ type: 'replayed', ...r }));
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
