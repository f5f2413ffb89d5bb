/* arena.c: bump allocation in a list of blocks. A request rarely needs more than the first
 * block; large allocations get a block of their own so they do not waste the tail. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ms_arena_block {
    ms_arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void ms_arena_init(ms_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 16384;
}

void *ms_arena_alloc(ms_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    ms_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > a->block_size ? n : a->block_size;
        if (size > SIZE_MAX - sizeof *b) return NULL;
        ms_arena_block *nb = malloc(sizeof *nb + size);
        if (!nb) return NULL;
        nb->size = size;
        nb->used = 0;
        if (b && n > a->block_size) {
            /* Big one-off: put it behind the current block so the current tail stays usable. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *ms_arena_strndup(ms_arena *a, const char *s, size_t n)
{
    char *p = ms_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ms_arena_strdup(ms_arena *a, const char *s)
{
    return s ? ms_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ms_arena_printf(ms_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = ms_arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void ms_arena_reset(ms_arena *a)
{
    /* Keep the oldest block (the tail of the list), free the rest. */
    ms_arena_block *b = a->head, *keep = NULL;
    while (b) {
        ms_arena_block *n = b->next;
        if (n)
            free(b);
        else
            keep = b;
        b = n;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
}

void ms_arena_free(ms_arena *a)
{
    ms_arena_block *b = a->head;
    while (b) {
        ms_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
}
