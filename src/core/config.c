/* config.c: the table of configuration keys and the three sources. See config.h. */
#include "core/config.h"

#include "core/buf.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(ms_config, f)

typedef struct key_slot {
    ms_config_key key;
    size_t offset;
    size_t size; /* for strings */
} key_slot;

/* The one list of keys. */
static const key_slot slots[] = {
    {{"data", MS_CFG_STR, "./data", "data folder (database, local store, secret key)"},
     OFF(data),
     MS_CONFIG_STR},
    {{"listen", MS_CFG_STR, "127.0.0.1:8080", "address and port to listen on (host:port)"},
     OFF(listen),
     128},
    {{"database", MS_CFG_STR, "", "database URL; default sqlite:<data>/mstation.db"},
     OFF(database),
     MS_CONFIG_STR},
    {{"public_url", MS_CFG_STR, "", "URL users reach the server at (links in e-mails)"},
     OFF(public_url),
     MS_CONFIG_STR},
    {{"web_root", MS_CFG_STR, "", "folder of the web UI; default: web/ beside the binary's tree"},
     OFF(web_root),
     MS_CONFIG_STR},
    {{"secret_key_file", MS_CFG_STR, "", "server secret key; default <data>/secret.key"},
     OFF(secret_key_file),
     MS_CONFIG_STR},
    {{"log_level", MS_CFG_STR, "info", "debug, info, warn, error or off"}, OFF(log_level), 16},
    {{"smtp_url", MS_CFG_STR, "",
      "smtp[s]://user:pass@host:port to send mail; empty: write "
      "mail to <data>/outbox/"},
     OFF(smtp_url),
     MS_CONFIG_STR},
    {{"mail_from", MS_CFG_STR, "mstation <no-reply@localhost>", "From address of e-mails"},
     OFF(mail_from),
     256},
    {{"threads", MS_CFG_INT, "0", "HTTP worker threads; 0 = one per core"}, OFF(threads), 0},
    {{"workers", MS_CFG_INT, "2", "job queue worker threads"}, OFF(workers), 0},
    {{"max_connections", MS_CFG_INT, "1024", "concurrent connections"}, OFF(max_connections), 0},
    {{"connection_timeout", MS_CFG_DURATION, "60s", "close idle connections after this"},
     OFF(connection_timeout),
     0},
    {{"max_body", MS_CFG_SIZE, "1MiB", "largest JSON request body"}, OFF(max_body), 0},
    {{"max_header", MS_CFG_SIZE, "8KiB", "largest request line + headers"}, OFF(max_header), 0},
    {{"session_ttl", MS_CFG_DURATION, "14d", "sign-in sessions expire after this"},
     OFF(session_ttl),
     0},
    {{"signin_max_failures", MS_CFG_INT, "10", "failed sign-ins before an account is locked"},
     OFF(signin_max_failures),
     0},
    {{"signin_lock", MS_CFG_DURATION, "15m", "how long a locked account stays locked"},
     OFF(signin_lock),
     0},
    {{"shutdown_timeout", MS_CFG_DURATION, "30s", "time to finish in-flight requests on stop"},
     OFF(shutdown_timeout),
     0},
    {{"access_log", MS_CFG_BOOL, "true", "log one JSON line per request"}, OFF(access_log), 0},
    {{"trust_proxy", MS_CFG_BOOL, "false", "client address from X-Forwarded-For (behind a proxy)"},
     OFF(trust_proxy),
     0},
    {{"store", MS_CFG_STR, "", "blob store for media chunks; default file:<data>/store"},
     OFF(store),
     MS_CONFIG_STR},
    {{"chunk_min", MS_CFG_SIZE, "512KiB", "smallest content-defined chunk"}, OFF(chunk_min), 0},
    {{"chunk_avg", MS_CFG_SIZE, "2MiB", "average chunk (a power of two)"}, OFF(chunk_avg), 0},
    {{"chunk_max", MS_CFG_SIZE, "8MiB", "largest chunk"}, OFF(chunk_max), 0},
    {{"max_upload", MS_CFG_SIZE, "4TiB", "largest file one upload may declare"},
     OFF(max_upload),
     0},
    {{"upload_expiry", MS_CFG_DURATION, "7d", "unfinished uploads are deleted after this"},
     OFF(upload_expiry),
     0},
    {{"gc_grace", MS_CFG_DURATION, "24h", "unreferenced chunks are kept this long before gc"},
     OFF(gc_grace),
     0},
    {{"store_compress", MS_CFG_BOOL, "true", "zstd-compress chunks where it saves space"},
     OFF(store_compress),
     0},
    /* webhooks (wt-hooks) */
    {{"webhooks_allow_private", MS_CFG_BOOL, "false",
      "let project webhooks call loopback, private and link-local addresses (tests, LAN "
      "receivers); off, such addresses are refused when connecting"},
     OFF(webhooks_allow_private),
     0},
};
#define NSLOTS (sizeof slots / sizeof slots[0])

const ms_config_key *ms_config_keys(void)
{
    static ms_config_key keys[NSLOTS + 1];
    if (!keys[0].name) {
        for (size_t i = 0; i < NSLOTS; i++)
            keys[i] = slots[i].key;
    }
    return keys;
}

bool ms_parse_int(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) return false;
    *out = v;
    return true;
}

static bool parse_scaled(const char *s, int64_t *out, const char *const *units,
                         const int64_t *scales)
{
    if (!s || !*s || *s == '-') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return false;
    while (*end == ' ')
        end++;
    int64_t scale = 1;
    if (*end) {
        bool found = false;
        for (int i = 0; units[i]; i++) {
            if (strcmp(end, units[i]) == 0) {
                scale = scales[i];
                found = true;
                break;
            }
        }
        if (!found) return false;
    }
    if (v > (unsigned long long)(INT64_MAX / scale)) return false;
    *out = (int64_t)v * scale;
    return true;
}

bool ms_parse_size(const char *s, int64_t *out)
{
    static const char *const u[] = {"B",  "KiB", "MiB", "GiB", "TiB", "KB", "MB",
                                    "GB", "TB",  "k",   "K",   "M",   "G",  NULL};
    static const int64_t sc[] = {1,
                                 1024,
                                 1024 * 1024,
                                 1024LL * 1024 * 1024,
                                 1024LL * 1024 * 1024 * 1024,
                                 1000,
                                 1000 * 1000,
                                 1000LL * 1000 * 1000,
                                 1000LL * 1000 * 1000 * 1000,
                                 1024,
                                 1024,
                                 1024 * 1024,
                                 1024LL * 1024 * 1024};
    return parse_scaled(s, out, u, sc);
}

bool ms_parse_duration(const char *s, int64_t *out)
{
    static const char *const u[] = {"s", "m", "h", "d", NULL};
    static const int64_t sc[] = {1, 60, 3600, 86400};
    return parse_scaled(s, out, u, sc);
}

bool ms_parse_bool(const char *s, bool *out)
{
    if (!s) return false;
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "on")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "off")) {
        *out = false;
        return true;
    }
    return false;
}

static const key_slot *find_slot(const char *key)
{
    for (size_t i = 0; i < NSLOTS; i++)
        if (strcmp(slots[i].key.name, key) == 0) return &slots[i];
    return NULL;
}

int ms_config_set(ms_config *c, const char *key, const char *value, const char *source,
                  ms_error *err)
{
    const key_slot *s = find_slot(key);
    if (!s) return ms_fail(err, MS_EINVAL, "config", "%s: unknown setting \"%s\"", source, key);
    char *base = (char *)c + s->offset;
    int64_t v = 0;
    bool b = false;
    switch (s->key.type) {
    case MS_CFG_STR:
        if (!ms_strlcpy(base, value, s->size))
            return ms_fail(err, MS_EINVAL, "config", "%s: %s is too long (max %zu bytes)", source,
                           key, s->size - 1);
        return 0;
    case MS_CFG_INT:
        if (!ms_parse_int(value, &v) || v < 0 || v > INT_MAX)
            return ms_fail(err, MS_EINVAL, "config", "%s: %s must be a whole number, got \"%s\"",
                           source, key, value);
        break;
    case MS_CFG_SIZE:
        if (!ms_parse_size(value, &v))
            return ms_fail(err, MS_EINVAL, "config",
                           "%s: %s must be a size such as 1048576, 512KiB or 1MiB, got \"%s\"",
                           source, key, value);
        break;
    case MS_CFG_DURATION:
        if (!ms_parse_duration(value, &v))
            return ms_fail(err, MS_EINVAL, "config",
                           "%s: %s must be a duration such as 30s, 15m, 2h or 14d, got \"%s\"",
                           source, key, value);
        break;
    case MS_CFG_BOOL:
        if (!ms_parse_bool(value, &b))
            return ms_fail(err, MS_EINVAL, "config", "%s: %s must be true or false, got \"%s\"",
                           source, key, value);
        *(bool *)base = b;
        return 0;
    }
    *(int64_t *)base = v;
    return 0;
}

void ms_config_defaults(ms_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NSLOTS; i++)
        ms_config_set(c, slots[i].key.name, slots[i].key.def, "default", NULL);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = 0;
    return s;
}

int ms_config_load_file(ms_config *c, const char *path, bool must_exist, ms_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!must_exist && errno == ENOENT) return 0;
        return ms_fail(err, MS_EIO, "config", "cannot read config file %s: %s", path,
                       strerror(errno));
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = ms_fail(err, MS_EINVAL, "config", "%s:%d: line too long", path, lineno);
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = ms_fail(err, MS_EINVAL, "config", "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = 0;
            val++;
        }
        char src[600];
        snprintf(src, sizeof src, "%s:%d", path, lineno);
        if ((rc = ms_config_set(c, key, val, src, err)) != 0) break;
    }
    fclose(f);
    if (rc == 0) ms_strlcpy(c->config, path, sizeof c->config);
    return rc;
}

int ms_config_load_env(ms_config *c, char **envp, ms_error *err)
{
    for (char **e = envp; e && *e; e++) {
        if (strncmp(*e, "MSTATION_", 9) != 0) continue;
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        char key[64];
        size_t n = (size_t)(eq - *e) - 9;
        if (n >= sizeof key) continue;
        for (size_t i = 0; i < n; i++) {
            char ch = (*e)[9 + i];
            key[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        key[n] = 0;
        if (strcmp(key, "config") == 0) continue; /* handled by ms_config_load */
        if (!find_slot(key)) continue;            /* other tools' variables are not ours */
        char src[96];
        snprintf(src, sizeof src, "environment MSTATION_%.*s", (int)n, *e + 9);
        int rc = ms_config_set(c, key, eq + 1, src, err);
        if (rc) return rc;
    }
    return 0;
}

void ms_config_finish(ms_config *c)
{
    if (!c->database[0])
        snprintf(c->database, sizeof c->database, "sqlite:%.*s/mstation.db",
                 (int)sizeof c->database - 20, c->data);
    if (!c->secret_key_file[0])
        snprintf(c->secret_key_file, sizeof c->secret_key_file, "%.*s/secret.key",
                 (int)sizeof c->secret_key_file - 12, c->data);
    if (!c->store[0])
        snprintf(c->store, sizeof c->store, "file:%.*s/store", (int)sizeof c->store - 12, c->data);
    if (!c->public_url[0]) snprintf(c->public_url, sizeof c->public_url, "http://%s", c->listen);
    size_t n = strlen(c->public_url);
    while (n > 0 && c->public_url[n - 1] == '/')
        c->public_url[--n] = 0;
}

int ms_config_load(ms_config *c, const char *const *flags, char **envp, ms_error *err)
{
    ms_config_defaults(c);
    /* Where is the file? --config, then MSTATION_CONFIG, then <data>/mstation.conf, where data
     * itself may come from a flag or the environment. */
    const char *file = NULL, *data = NULL;
    for (const char *const *f = flags; f && *f; f += 2) {
        if (!strcmp(f[0], "config")) file = f[1];
        if (!strcmp(f[0], "data")) data = f[1];
    }
    for (char **e = envp; e && *e; e++) {
        if (!file && !strncmp(*e, "MSTATION_CONFIG=", 16)) file = *e + 16;
        if (!data && !strncmp(*e, "MSTATION_DATA=", 14)) data = *e + 14;
    }
    int rc;
    if (file) {
        rc = ms_config_load_file(c, file, true, err);
    } else {
        char path[MS_CONFIG_STR + 32];
        snprintf(path, sizeof path, "%s/mstation.conf", data ? data : c->data);
        rc = ms_config_load_file(c, path, false, err);
    }
    if (rc) return rc;
    if ((rc = ms_config_load_env(c, envp, err))) return rc;
    for (const char *const *f = flags; f && *f; f += 2) {
        if (!strcmp(f[0], "config")) continue;
        if ((rc = ms_config_set(c, f[0], f[1], "command line", err))) return rc;
    }
    ms_config_finish(c);
    static const char *levels[] = {"debug", "info", "warn", "error", "off", NULL};
    for (int i = 0; levels[i]; i++)
        if (!strcmp(c->log_level, levels[i])) return 0;
    return ms_fail(err, MS_EINVAL, "config", "log_level must be debug, info, warn, error or off");
}
