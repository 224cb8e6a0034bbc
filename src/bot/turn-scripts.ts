import type { RedisClient } from '../db/redis.js';

/**
 * The turn runner's Redis scripts. Every key of one script is under the queue prefix's {hash tag}, so each
 * runs on one Redis Cluster slot. defineCommand: ioredis sends EVALSHA (the text once per connection).
 */
// Release the lock only if it is still ours, then tell the caller whether more work arrived meanwhile.
// With ARGV[3] '1' (the drainer gave its slot to the users on the ready list), a user with events left goes
// to the back of the ready list: still pending, so the enqueue script would not push them again.
// KEYS: lock, inbox, pending, ready. ARGV: token, psid, yield ('1' or '0'). Leaves the count left in `n`.
const END_DRAIN = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
local n = redis.call('llen', KEYS[2])
if n == 0 then redis.call('srem', KEYS[3], ARGV[2])
elseif ARGV[3] == '1' then redis.call('rpush', KEYS[4], ARGV[2]) end`;
const RELEASE = `${END_DRAIN}
return n`;
// KEYS: seen1, inbox1, seen2, inbox2, …, pending, ready. ARGV: ttl, wake ('1': push to ready), json1, psid1, …
// Returns the 1-based indexes of the events that were new (and are now queued). With wake, a user who was
// not pending (no drainer has them, none is due to look) goes onto the ready list, where the processes that
// run turns (TURN_PROCESS=worker) wait for work; a pending user is already some drainer's, whose release
// sees the new event (RELEASE is atomic with this script), or the sweeper's.
const ENQUEUE = `local out = {}
local n = (#KEYS - 2) / 2
for i = 1, n do
  if redis.call('set', KEYS[i * 2 - 1], '1', 'EX', ARGV[1], 'NX') then
    redis.call('rpush', KEYS[i * 2], ARGV[i * 2 + 1])
    if redis.call('sadd', KEYS[#KEYS - 1], ARGV[i * 2 + 2]) == 1 and ARGV[2] == '1' then
      redis.call('rpush', KEYS[#KEYS], ARGV[i * 2 + 2])
    end
    out[#out + 1] = i
  end
end
return out`;
// KEYS: lock, inbox. ARGV: token, lease ms. Takes the user's lock if free and returns the inbox's head (the
// first event to run; false when empty), or 0 when another drainer holds the lock: one round trip, not two.
const TAKE = `if not redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 0 end
local head = redis.call('lindex', KEYS[2], 0)
if head then return {head} end
return {}`;
// KEYS: lock. ARGV: token, lease ms. 1 while the lock is ours (lease extended), else 0.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
// KEYS: lock, inbox, pending, ready, outage marker (RELEASE's, then one). ARGV: token, psid, '0', the event
// expected at the head, clear the outage marker ('1' or '0'). Pops the event only if it is still the head;
// returns {users on the ready list, the head after that (the next event to run, or nil), 1 if the drain is
// over}, so the drainer needs no LINDEX of its own per turn, and knows whether users wait for a turn process
// (TURN_PROCESS=worker). When the inbox is then empty the drain is over and the script also does RELEASE's
// work (END_DRAIN): the last turn of a drain, the usual one, ends in one round trip, not two.
const POP_HEAD = `if redis.call('lindex', KEYS[2], 0) == ARGV[4] then redis.call('lpop', KEYS[2]) end
if ARGV[5] == '1' then redis.call('del', KEYS[5]) end
local head = redis.call('lindex', KEYS[2], 0)
if head then return {redis.call('llen', KEYS[4]), head, 0} end
${END_DRAIN}
return {redis.call('llen', KEYS[4]), false, 1}`;
// KEYS: lock, key. ARGV: token, lease ms, value, ttl seconds. Writes the key only while the lock is ours
// (extending it), in the same step: 1, else 0 and nothing written (a turn's dialog state, saved at its end).
const SAVE_UNDER_LEASE = `if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('pexpire', KEYS[1], ARGV[2])
redis.call('set', KEYS[2], ARGV[3], 'EX', ARGV[4])
return 1`;
// KEYS: inbox, dead-letter list, outage marker. ARGV: the head event, the dead-letter entry.
const DEAD_LETTER = `if redis.call('lindex', KEYS[1], 0) ~= ARGV[1] then return 0 end
redis.call('lpop', KEYS[1])
redis.call('rpush', KEYS[2], ARGV[2])
redis.call('del', KEYS[3])
return 1`;

type Script = (...args: Array<string | number>) => Promise<unknown>;
export interface TurnScripts {
  enqueue: Script;
  take: Script;
  release: Script;
  renew: Script;
  popHead: Script;
  saveUnderLease: Script;
  deadLetter: Script;
}

export function defineTurnScripts(redis: RedisClient): TurnScripts {
  redis.defineCommand('qsBotEnqueue', { lua: ENQUEUE });
  redis.defineCommand('qsBotTake', { lua: TAKE, numberOfKeys: 2 });
  redis.defineCommand('qsBotRelease', { lua: RELEASE, numberOfKeys: 4 });
  redis.defineCommand('qsBotRenew', { lua: RENEW, numberOfKeys: 1 });
  redis.defineCommand('qsBotPopHead', { lua: POP_HEAD, numberOfKeys: 5 });
  redis.defineCommand('qsBotSaveUnderLease', { lua: SAVE_UNDER_LEASE, numberOfKeys: 2 });
  redis.defineCommand('qsBotDeadLetter', { lua: DEAD_LETTER, numberOfKeys: 3 });
  const r = redis as unknown as Record<string, Script>;
  return {
    enqueue: (...a) => r.qsBotEnqueue!(...a),
    take: (...a) => r.qsBotTake!(...a),
    release: (...a) => r.qsBotRelease!(...a),
    renew: (...a) => r.qsBotRenew!(...a),
    popHead: (...a) => r.qsBotPopHead!(...a),
    saveUnderLease: (...a) => r.qsBotSaveUnderLease!(...a),
    deadLetter: (...a) => r.qsBotDeadLetter!(...a),
  };
}
