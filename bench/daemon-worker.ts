// A worker process for the daemon bench: `listwarden run --role worker` as the daemon runs it, after a JIT warm-up.
//   node --import tsx bench/daemon-worker.ts CONFIG ARCHIVE   (started by bench/daemon-bench.ts, talks over IPC)

import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createLogger } from '../src/log.js';
import { createPipeline } from '../src/pipeline/index.js';
import { MemoryThreadStore } from '../src/threads/memory-store.js';
import { loadDaemonConfig, runDaemon } from '../src/daemon/index.js';
import { splitMbox, type WorkerMessage } from './daemon-common.js';

const [configPath, archive] = process.argv.slice(2);
if (!configPath || !archive || !process.send) {
  process.stderr.write('usage: started by bench/daemon-bench.ts with an IPC channel: daemon-worker.ts CONFIG ARCHIVE\n');
  process.exit(2);
}
const send = (m: WorkerMessage): void => {
  process.send?.(m);
};
const log = createLogger(process.env.LISTWARDEN_LOG_LEVEL ?? 'info');

// The same warm-up the in-process replay gets (the archive once, memory store), so both are measured warm.
const cfg = await loadDaemonConfig(configPath, process.env);
const warm = createPipeline(cfg.config, { store: new MemoryThreadStore(), log });
for (const raw of splitMbox(readFileSync(archive, 'utf8'))) await warm.processRaw(raw);

// LISTWARDEN_WORKER_PROF=FILE: a CPU profile of the measured part (after the warm-up) into FILE.<pid>.cpuprofile.
const profFile = process.env.LISTWARDEN_WORKER_PROF;
const inspector = profFile ? new Session() : undefined;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}

const cpu0 = process.cpuUsage();
const daemon = await runDaemon({ configPath, role: 'worker', log, watchConfig: false });
send({ type: 'ready' });

// The bench gone (it exited or crashed) means nobody will ask this worker to stop: stop now rather than linger.
process.on('disconnect', () => {
  void daemon.stop().finally(() => process.exit(0));
});

process.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  void daemon.stop().then(async () => {
    const c = process.cpuUsage(cpu0);
    if (inspector) {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(`${profFile}.${process.pid}.cpuprofile`, JSON.stringify(profile));
    }
    send({ type: 'stopped', cpuMs: (c.user + c.system) / 1000 });
    process.disconnect();
  });
});
