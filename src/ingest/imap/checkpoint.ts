// The poller's checkpoint per mailbox in Redis: UIDVALIDITY and the last UID queued, advanced only forward.

import type { Redis } from 'ioredis';
import { LuaScript } from '../../queue/redis.js';

export interface Checkpoint {
  uidValidity: string;
  lastUid: number;
}

/** Moves the checkpoint forward only (a slower second poller never moves it back); a new UIDVALIDITY resets it. */
const ADVANCE = new LuaScript(`
local v = redis.call('HGET', KEYS[1], 'uidValidity')
local last = tonumber(redis.call('HGET', KEYS[1], 'lastUid') or '-1')
if v == ARGV[1] and last >= tonumber(ARGV[2]) and ARGV[3] ~= 'reset' then return 0 end
redis.call('HSET', KEYS[1], 'uidValidity', ARGV[1], 'lastUid', ARGV[2], 'at', ARGV[4])
return 1
`);

export class CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(list: string, mailbox: string): string {
    return `${this.prefix}:lw:ckpt:${list}:${mailbox}`;
  }

  async get(list: string, mailbox: string): Promise<Checkpoint | undefined> {
    const h = await this.redis.hgetall(this.key(list, mailbox));
    if (!h.uidValidity || h.lastUid === undefined) return undefined;
    return { uidValidity: h.uidValidity, lastUid: Number(h.lastUid) };
  }

  /** Advances to `lastUid` (or, with reset, sets it whatever it was: a new UIDVALIDITY or a first run). */
  async advance(list: string, mailbox: string, cp: Checkpoint, reset = false): Promise<void> {
    await ADVANCE.run(this.redis, [this.key(list, mailbox)], [cp.uidValidity, cp.lastUid, reset ? 'reset' : '', Date.now()]);
  }
}
