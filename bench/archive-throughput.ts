// Measures the archive readers: MB/s of readArchive and of the bare mbox splitter, and peak RSS, on a generated mbox.
// Usage: node --import tsx bench/archive-throughput.ts [MBOX] [--mb 200] [--gzip]
// Without MBOX a ~200 MB mbox is generated in the temp folder (one generated part, repeated) and removed after.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MboxSplitter, readArchive } from '../src/ingest/archive/index.js';
import { generateArchive } from './generate-archive.js';

const MB = 1024 * 1024;

async function timeIt(label: string, bytes: number, run: () => Promise<number>): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  const messages = await run();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    `${label}: ${messages} messages, ${(bytes / MB).toFixed(0)} MB in ${wall.toFixed(2)} s wall (${(bytes / MB / wall).toFixed(0)} MB/s), ` +
      `${cpuSecs.toFixed(2)} s CPU (${(bytes / MB / cpuSecs).toFixed(0)} MB/s), RSS ${(rss0 / MB).toFixed(0)} → peak ${(peak / MB).toFixed(0)} MB\n`,
  );
}

let peak = 0;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().rss);
};

async function main(argv: string[]): Promise<void> {
  const mbAt = argv.indexOf('--mb');
  const targetMb = mbAt !== -1 ? Number(argv[mbAt + 1]) : 200;
  const given = argv.find((a, i) => !a.startsWith('--') && i !== mbAt + 1);
  let dir: string | undefined;
  let path = given;
  try {
    if (!path) {
      dir = await mkdtemp(join(tmpdir(), 'listwarden-throughput-'));
      const part = join(dir, 'part.mbox');
      const { bytes } = await generateArchive(part, 5000, { seed: 9 });
      path = join(dir, 'bench.mbox');
      for (let i = 0; i < Math.ceil((targetMb * MB) / bytes); i++) {
        await pipeline(createReadStream(part), createWriteStream(path, { flags: 'a' }));
      }
      if (argv.includes('--gzip')) {
        await pipeline(createReadStream(path), createGzip(), createWriteStream(`${path}.gz`));
      }
    }
    const size = (await stat(path)).size;
    // Warm the page cache so the numbers are about parsing, not the disk.
    for await (const _ of createReadStream(path, { highWaterMark: MB }));

    peak = 0;
    await timeIt('readArchive', size, async () => {
      let n = 0;
      for await (const item of readArchive(path as string)) if (item.kind === 'mail' && ++n % 256 === 0) sample();
      sample();
      return n;
    });

    // The splitter alone on 1 MB chunks read straight from the file into one reused buffer.
    peak = 0;
    await timeIt('MboxSplitter only', size, async () => {
      const fh = await open(path as string, 'r');
      const splitter = new MboxSplitter('bench', 25 * MB);
      let n = 0;
      try {
        for (;;) {
          const chunk = Buffer.allocUnsafe(MB);
          const { bytesRead } = await fh.read(chunk, 0, MB, null);
          if (bytesRead === 0) break;
          n += splitter.push(chunk.subarray(0, bytesRead)).length;
          sample();
        }
        n += splitter.end().length;
      } finally {
        await fh.close();
      }
      return n;
    });

    if (dir && argv.includes('--gzip')) {
      peak = 0;
      await timeIt('readArchive (gzip, MB of mbox)', size, async () => {
        let n = 0;
        for await (const item of readArchive(`${path}.gz`)) if (item.kind === 'mail' && ++n % 256 === 0) sample();
        return n;
      });
    }
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
