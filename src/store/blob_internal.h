/* blob_internal.h: the backend vtable behind blob.h. A backend fills one of these; blob.c
 * checks keys and arguments once, so backends may assume valid keys. Not for modules. */
#ifndef MS_BLOB_INTERNAL_H
#define MS_BLOB_INTERNAL_H

#include "store/blob.h"

#include <stdbool.h>

typedef struct blob_ops {
    int (*put)(ms_blobs *b, const char *key, const void *data, size_t len, bool sync,
               ms_error *err);
    int (*flush)(ms_blobs *b, ms_error *err);
    int (*sync)(ms_blobs *b, const char *key, ms_error *err);
    int (*put_file)(ms_blobs *b, const char *key, const char *path, ms_error *err);
    int (*read)(ms_blobs *b, const char *key, uint64_t off, void *buf, size_t len, size_t *got,
                ms_error *err);
    int (*stat)(ms_blobs *b, const char *key, int64_t *size, ms_error *err);
    int (*del)(ms_blobs *b, const char *key, ms_error *err);
    int (*list)(ms_blobs *b, const char *prefix, blob_list_fn fn, void *arg, ms_error *err);
    int64_t (*free_bytes)(ms_blobs *b);
    const char *(*local_path)(ms_blobs *b, const char *key, char *buf, size_t cap);
    void (*close)(ms_blobs *b);
} blob_ops;

struct ms_blobs {
    const blob_ops *ops;
    char url[512];
    char root[512]; /* local backend: the folder */
};

int blob_local_open(const char *dir, ms_blobs **out, ms_error *err);

#endif
