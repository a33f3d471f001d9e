/**
 * The Lua scripts behind every atomic step. Each one is called with exactly one key (KEYS[1]) and
 * touches no other, so each runs in one slot of a Redis Cluster. Redis runs a script as one
 * step: no other command interleaves, which is what makes each compare-and-set atomic.
 *
 * Times arrive as decimal strings of epoch milliseconds and are compared with `tonumber`; a time
 * that is written back is one of the strings passed in or read, never a number Lua formatted,
 * except through `%.0f` (exact for integers below 2^53).
 */

/** `%.0f` of a time computed in Lua. */
const MS = `local function ms(n) return string.format('%.0f', n) end`;

/** Loads the idle and absolute expiry of a session and checks it is live at ARGV[1]. */
const LIVE_SESSION = (fields: string) => `
local s = redis.call('HMGET', KEYS[1], 'idle', 'abs'${fields})
if not s[1] then return false end
local now = tonumber(ARGV[1])
if now >= tonumber(s[1]) or now >= tonumber(s[2]) then return false end`;

export const SCRIPTS = {
  /**
   * Writes a record hash and its garbage-collection time. ARGV: mode (`nx`: keep an existing
   * key and answer 0; `replace`), PEXPIREAT epoch ms, then field/value pairs.
   */
  put: `
if ARGV[1] == 'nx' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`,

  /**
   * Adds a member to a per-user sorted-set index, never lowering its score, and drops members
   * whose records Redis has certainly expired (score + grace before the server's time). ARGV:
   * member, score (epoch ms, or `+n`: n ms after the server's time), grace ms.
   */
  indexAdd: `${MS}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local grace = tonumber(ARGV[3])
local score = ARGV[2]
if string.sub(score, 1, 1) == '+' then score = ms(now + tonumber(string.sub(score, 2))) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ms(now - grace))
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) < tonumber(score) then
  redis.call('ZADD', KEYS[1], score, ARGV[1])
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], ms(tonumber(last[2]) + grace))
return 1`,

  /**
   * Slides a live session's idle expiry to max(stored, min(wanted, absolute)) and its lastSeenAt
   * to max(stored, now). A missing or dead session is not written. ARGV: now, wanted idle
   * expiry, grace ms. Answers 1 (touched) or nil.
   */
  sessionTouch: `${MS}${LIVE_SESSION(", 'seen'")}
local capped = ARGV[2]
if tonumber(s[2]) < tonumber(capped) then capped = s[2] end
local idle = s[1]
if tonumber(capped) > tonumber(idle) then idle = capped end
local seen = s[3]
if now > tonumber(seen) then seen = ARGV[1] end
redis.call('HSET', KEYS[1], 'idle', idle, 'seen', seen)
redis.call('PEXPIREAT', KEYS[1], ms(math.min(tonumber(idle), tonumber(s[2])) + tonumber(ARGV[3])))
return 1`,

  /**
   * Compare-and-set on a live session's refresh hash. A replaced hash is kept for the session's
   * life, appended to the JSON array `prev` (which no script parses) and as a field `p:<hash>`
   * (which answers reuse in one lookup). ARGV: now, expected hash, new hash.
   */
  sessionRotate: `${LIVE_SESSION(", 'refresh', 'prev'")}
if s[3] == ARGV[2] then
  local item = cjson.encode(ARGV[2])
  local prev = '[' .. item .. ']'
  if s[4] and s[4] ~= '[]' then prev = string.sub(s[4], 1, -2) .. ',' .. item .. ']' end
  redis.call('HSET', KEYS[1], 'refresh', ARGV[3], 'prev', prev, 'p:' .. ARGV[2], 1)
  return 'rotated'
end
if redis.call('HEXISTS', KEYS[1], 'p:' .. ARGV[2]) == 1 then return 'reused' end
return 'not_found'`,

  /**
   * Sets fields of a live session in one `HSET`: `fresh`, and `amr`, `second` (secondFactorAt),
   * `gen` (credential generation) when given, each written as the string passed in. A missing
   * or dead session is not written (a markFresh racing a delete never brings it back).
   * ARGV: now, then field/value pairs. Answers 1 (updated) or nil.
   */
  sessionMarkFresh: `${LIVE_SESSION('')}
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1`,

  /**
   * Compare-and-delete of a token: when the verifier hash matches, deletes the token and answers
   * its record and attempts (the caller decides ok or expired from `now`); otherwise answers nil
   * and leaves the token. ARGV: verifier hash.
   */
  tokenConsume: `
local t = redis.call('HMGET', KEYS[1], 'verifier', 'base', 'attempts')
if not t[1] or t[1] ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return {t[2], t[3]}`,

  /** Counts one wrong code; deletes the token at maxAttempts. ARGV: maxAttempts. Attempts left. */
  tokenFail: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local max = tonumber(ARGV[1])
if n >= max then
  redis.call('DEL', KEYS[1])
  return 0
end
return max - n`,

  /** Deletes a record only if its `user` field is ARGV[1] (never one without the field). */
  deleteIfOwner: `
if redis.call('HGET', KEYS[1], 'user') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,

  /**
   * Counts one hit in the window live at `now`, or starts a window with it. A named hit that is
   * allowed (its count at most the limit) is remembered as the field `i:<id>` (at most `limit`
   * of them per window, whatever the caller sends), for `rateRelease`. A new window rebuilds the
   * hash keeping only `lock`, so the ended window's ids are forgotten with its count. ARGV: now,
   * the new window's resetAt, grace ms, limit, id (optional). Answers {count, resetAt}.
   */
  rateHit: `${MS}
local w = redis.call('HMGET', KEYS[1], 'reset', 'lock')
local limit = tonumber(ARGV[4])
if w[1] and tonumber(ARGV[1]) < tonumber(w[1]) then
  local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
  if ARGV[5] and count <= limit then redis.call('HSET', KEYS[1], 'i:' .. ARGV[5], 1) end
  return {count, w[1]}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'count', 1, 'reset', ARGV[2])
if w[2] then redis.call('HSET', KEYS[1], 'lock', w[2]) end
if ARGV[5] and 1 <= limit then redis.call('HSET', KEYS[1], 'i:' .. ARGV[5], 1) end
local keep = tonumber(ARGV[2])
if w[2] and tonumber(w[2]) > keep then keep = tonumber(w[2]) end
redis.call('PEXPIREAT', KEYS[1], ms(keep + tonumber(ARGV[3])))
return {1, ARGV[2]}`,

  /**
   * Takes back the allowed hit named ARGV[2] in the window live at ARGV[1] (now): when the window
   * is live and `HDEL` of `i:<id>` removes the field, `count` drops by one. `lock` and the
   * expiry stay as they are. Exactly once: only one caller's `HDEL` removes the field. ARGV:
   * now, id. Answers 1 (taken back) or 0 (no such hit: never remembered, already taken back,
   * window ended, key reset).
   */
  rateRelease: `
local reset = redis.call('HGET', KEYS[1], 'reset')
if not reset or tonumber(ARGV[1]) >= tonumber(reset) then return 0 end
if redis.call('HDEL', KEYS[1], 'i:' .. ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'count', -1)
return 1`,

  /** Raises the lock to ARGV[1] (epoch ms), never lowering it. ARGV: untilMs, grace ms. */
  rateLock: `${MS}
local w = redis.call('HMGET', KEYS[1], 'reset', 'lock')
local untilMs = tonumber(ARGV[1])
if w[2] and tonumber(w[2]) >= untilMs then return 0 end
redis.call('HSET', KEYS[1], 'lock', ARGV[1])
local keep = untilMs
if w[1] and tonumber(w[1]) > keep then keep = tonumber(w[1]) end
redis.call('PEXPIREAT', KEYS[1], ms(keep + tonumber(ARGV[2])))
return 1`,

  /**
   * Fills a cache entry only if it still holds this caller's lease (no invalidation since the
   * lease was taken); without a value, releases the lease. ARGV: lease, value?, TTL ms.
   */
  cacheFill: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 1`,
} as const;

/** The name of one script. */
export type ScriptName = keyof typeof SCRIPTS;
