/* mhl_internal.h: what the files of src/mhl share and nobody else needs: digest bytes, date
 * text, and the tree of files and folders that directory hashes and the post-order of a
 * generation file are computed from. Not a public interface (see mhl.h). */
#ifndef MS_MHL_INTERNAL_H
#define MS_MHL_INTERNAL_H

#include "core/arena.h"
#include "mhl/mhl.h"

#define MHL_NS           "urn:ASC:MHL:v2.0"
#define MHL_DIRECTORY_NS "urn:ASC:MHL:DIRECTORY:v2.0"
#define MHL_FOLDER       "ascmhl"
#define MHL_CHAIN_FILE   "ascmhl_chain.xml"
#define MHL_MAX_DEPTH    256 /* folders in a path */

/* Decode a digest's text into its bytes (hex of any even length; a C4 id: 64 bytes). */
int mhl_digest_bytes(mhl_format f, const char *s, uint8_t *out, size_t cap, size_t *n);

/* "2020-01-16T09:15:00+00:00" (UTC). */
void mhl_date_fmt(int64_t unix_s, char out[32]);

/* A folder or file of the tree built from entries and dirs. */
typedef struct mhl_node {
    const char *name; /* the last path component (NUL-terminated, in the arena) */
    const char *path; /* the whole relative path ("" for the root) */
    bool is_dir;
    const mhl_entry *entry; /* files */
    int64_t mtime;          /* folders: from a mhl_dir, or MHL_NO_TIME */
    struct mhl_node **kids; /* sorted by name (byte order) */
    size_t nkids;
    char content[MHL_DIGEST_MAX], structure[MHL_DIGEST_MAX]; /* folders, after hashing */
} mhl_node;

/* Build the tree (nodes in `arena`); refuses unsafe paths, duplicates and a path that is both
 * a file and a folder. */
int mhl_tree_build(const mhl_entry *entries, size_t n, const mhl_dir *dirs, size_t ndirs,
                   ms_arena *arena, mhl_node **root, ms_error *e);
/* Compute every folder's content and structure hash in format f (post-order). Every file must
 * have a digest in f. */
int mhl_tree_hash(mhl_node *root, mhl_format f, ms_error *e);
/* The digest of an entry in format f, or NULL. */
const char *mhl_entry_digest(const mhl_entry *x, mhl_format f);

#endif
