/* id.h: object ids (UUIDv7), secure random bytes.
 *
 * Ids are UUIDv7 in canonical lower-case text (36 chars): time-ordered, so an index on the
 * id is also roughly an index on creation time, and keyset pagination by id is stable. */
#ifndef MS_ID_H
#define MS_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_ID_LEN 37 /* 36 + NUL */

/* Monotonic within this process: each id is greater than the one before it. */
void ms_uuid7(char out[MS_ID_LEN]);
/* Same, for a given time (tests, imports). */
void ms_uuid7_at(int64_t unix_ms, char out[MS_ID_LEN]);
/* Canonical lower-case 8-4-4-4-12 hex of any version. */
bool ms_uuid_valid(const char *s);
/* Fill with cryptographically secure random bytes (getrandom); never fails short. */
void ms_random_bytes(void *buf, size_t n);

#endif
