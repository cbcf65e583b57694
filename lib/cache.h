/* cache.h: the content-addressed step cache, outside the work tree.
 *
 *   steps/KEY/out     a finished step's output tree (renamed in whole)
 *   steps/KEY/inputs  the lines its key hashes
 *   steps/KEY/tools   the host tools it was built with (not in the key)
 *   tmp/KEY.PID/      a step being built
 *   locks/KEY         held while a run builds KEY
 *   state/STAGE/SLOT.{time,inputs}  last build time and inputs, per step slot
 *   sources/FILE      verified source files
 */

/* use dir (created if missing) as the cache */
void cache_init(const char *dir);
const char *cache_root(void);
int cache_has(const char *key);
/* steps/KEY/out */
char *cache_out(const char *key);
/* steps/KEY/NAME: inputs, tools */
char *cache_file(const char *key, const char *name);
/* wait for and take the lock on key; returns a descriptor for cache_unlock */
int cache_lock(const char *key);
void cache_unlock(int fd);
/* remove every step whose key is not in keep, and killed runs' leftovers,
 * but what a run is building: the number of steps, *freed their bytes */
long cache_prune(char **keep, size_t nkeep, long long *freed);
/* a fresh, empty tmp/KEY.PID holding an empty out/ */
char *cache_tmp(const char *key);
/* rename tmp into steps/KEY */
int cache_commit(const char *tmp, const char *key);
/* the seconds a step of this stage and slot took when last built here,
 * else on the reference machine (cache_reference): then *byref is 1, or 2
 * when the time is another target's (byref may be null); -1: never */
double cache_gettime(const char *stage, const char *slot, int *byref);
/* read the reference machine's step times, "STAGE SLOT SECONDS" a line */
void cache_reference(const char *path);
/* the reference machine's time of that stage's step, else of the same
 * kind of stage for another target (*other set, other may be null); -1 */
double cache_reftime(const char *stage, const char *slot, int *other);
void cache_settime(const char *stage, const char *slot, double secs);
char *cache_getlast(const char *stage, const char *slot);
void cache_setlast(const char *stage, const char *slot, const char *inputs);
