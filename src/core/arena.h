/* arena.h: a bump allocator for memory that lives exactly as long as one request or job.
 *
 * Everything allocated from an arena is freed at once by ms_arena_free (or reused after
 * ms_arena_reset). Allocation failure returns NULL. Not thread-safe: one arena per request. */
#ifndef MS_ARENA_H
#define MS_ARENA_H

#include <stddef.h>

typedef struct ms_arena_block ms_arena_block;
typedef struct ms_arena {
    ms_arena_block *head;
    size_t block_size;
} ms_arena;

void ms_arena_init(ms_arena *a, size_t block_size);
void *ms_arena_alloc(ms_arena *a, size_t n); /* 16-byte aligned, zeroed */
char *ms_arena_strdup(ms_arena *a, const char *s);
char *ms_arena_strndup(ms_arena *a, const char *s, size_t n);
char *ms_arena_printf(ms_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ms_arena_reset(ms_arena *a); /* keep the first block, drop the rest */
void ms_arena_free(ms_arena *a);

#endif
