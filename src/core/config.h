/* config.h: server configuration from a file, the environment and command-line flags.
 *
 * Precedence, lowest to highest: built-in defaults, the file (`key = value` lines, `#`
 * comments; <data>/mstation.conf unless --config names another), environment variables
 * (MSTATION_<KEY>, upper case), flags (--key value or --key=value). Every key is listed once
 * in config.c's table, which all three sources and the documentation (`mstation serve --help`)
 * read. It is not a general settings store: runtime settings that users change live in the
 * database. */
#ifndef MS_CONFIG_H
#define MS_CONFIG_H

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

#define MS_CONFIG_STR 512

typedef struct ms_config {
    char data[MS_CONFIG_STR];     /* data folder */
    char config[MS_CONFIG_STR];   /* config file actually read ("" when none) */
    char listen[128];             /* host:port */
    char database[MS_CONFIG_STR]; /* sqlite:PATH (default: sqlite:<data>/mstation.db) */
    char public_url[MS_CONFIG_STR];
    char web_root[MS_CONFIG_STR];
    char secret_key_file[MS_CONFIG_STR];
    char log_level[16];
    char smtp_url[MS_CONFIG_STR];
    char mail_from[256];
    int64_t threads;             /* HTTP worker threads, 0 = number of cores */
    int64_t workers;             /* job queue worker threads */
    int64_t max_connections;     /* concurrent connections */
    int64_t connection_timeout;  /* seconds of inactivity before a connection is closed */
    int64_t max_body;            /* bytes: JSON request bodies */
    int64_t max_header;          /* bytes: request line + headers */
    int64_t session_ttl;         /* seconds */
    int64_t signin_max_failures; /* failed sign-ins before the account is locked */
    int64_t signin_lock;         /* seconds locked */
    int64_t shutdown_timeout;    /* seconds to finish in-flight requests */
    bool access_log;
    bool trust_proxy;                        /* take the client address from X-Forwarded-For */
    char store[MS_CONFIG_STR];               /* blob store URL (default file:<data>/store) */
    int64_t chunk_min, chunk_avg, chunk_max; /* content-defined chunking, bytes */
    int64_t max_upload;                      /* bytes: largest file one upload may declare */
    int64_t upload_expiry;                   /* seconds an unfinished upload is kept */
    int64_t gc_grace;                        /* seconds an unreferenced chunk is kept before gc */
    bool store_compress;                     /* zstd per chunk where it saves */
    /* webhooks (wt-hooks) */
    bool webhooks_allow_private; /* webhooks may call loopback, private, link-local addresses */
} ms_config;

typedef struct ms_config_key {
    const char *name;
    int type; /* MS_CFG_STR, MS_CFG_INT, MS_CFG_SIZE, MS_CFG_DURATION, MS_CFG_BOOL */
    const char *def;
    const char *help;
} ms_config_key;

enum { MS_CFG_STR, MS_CFG_INT, MS_CFG_SIZE, MS_CFG_DURATION, MS_CFG_BOOL };

/* The table of keys, NULL-terminated. */
const ms_config_key *ms_config_keys(void);

void ms_config_defaults(ms_config *c);
/* Set one key from text ("1MiB", "30s", "true"); `source` names the origin for messages. */
int ms_config_set(ms_config *c, const char *key, const char *value, const char *source,
                  ms_error *err);
int ms_config_load_file(ms_config *c, const char *path, bool must_exist, ms_error *err);
/* Apply MSTATION_* variables from `envp` (NULL-terminated "KEY=VALUE" strings). */
int ms_config_load_env(ms_config *c, char **envp, ms_error *err);
/* Fill derived defaults that depend on other keys (database from data, ...). */
void ms_config_finish(ms_config *c);

/* Full load for a command: `flags` are the key/value pairs given on the command line
 * (already split, NULL-terminated pairs). Reads --config/MSTATION_CONFIG or
 * <data>/mstation.conf when present. */
int ms_config_load(ms_config *c, const char *const *flags, char **envp, ms_error *err);

/* Parsers shared with the CLI. */
bool ms_parse_int(const char *s, int64_t *out);
bool ms_parse_size(const char *s, int64_t *out);     /* 1048576, 1MiB, 512KiB, 2GiB, 1MB */
bool ms_parse_duration(const char *s, int64_t *out); /* seconds: 30, 30s, 15m, 2h, 14d */
bool ms_parse_bool(const char *s, bool *out);

#endif
