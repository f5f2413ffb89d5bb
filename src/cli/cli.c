/* cli.c: parsing, dispatch and help for `mstation <command>`. See cli.h. */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_get(const cli_args *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->key[i], name)) return a->val[i];
    return NULL;
}

bool cli_has(const cli_args *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->key[i], name)) return true;
    return false;
}

int cli_fail(const char *what, const ms_error *e)
{
    fprintf(stderr, "mstation: %s: %s\n", what, e->detail[0] ? e->detail : ms_error_slug(e->code));
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "  --%s %s\n", e->fields[i].field, e->fields[i].message);
    switch (e->code) {
    case MS_EINVAL:
    case MS_EBADREQ:
        return CLI_USAGE;
    case MS_ECONFLICT:
        return CLI_EXISTS;
    case MS_ENOTFOUND:
        return CLI_NOTFOUND;
    default:
        return CLI_FAIL;
    }
}

int cli_config(const cli_args *a, char **envp, ms_config *cfg)
{
    ms_error e;
    ms_error_clear(&e);
    if (ms_config_load(cfg, a->config_flags, envp, &e)) return cli_fail("configuration", &e);
    ms_log_set_level(ms_log_level_parse(cfg->log_level));
    return 0;
}

int cli_read_password(const char *path, char out[1100], ms_error *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) return ms_fail(err, MS_ENOTFOUND, NULL, "cannot read %s: %s", path, strerror(errno));
    bool ok = fgets(out, 1100, f) != NULL;
    if (f != stdin) fclose(f);
    if (!ok) return ms_fail(err, MS_EINVAL, NULL, "%s is empty", path);
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

static const cli_command *find_command(const char *a, const char *b, int *words)
{
    for (const cli_command *c = cli_commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        if (sp) {
            size_t n = (size_t)(sp - c->name);
            if (b && strlen(a) == n && !strncmp(c->name, a, n) && !strcmp(sp + 1, b)) {
                *words = 2;
                return c;
            }
        } else if (!strcmp(c->name, a)) {
            *words = 1;
            return c;
        }
    }
    return NULL;
}

static bool is_group(const char *a)
{
    size_t n = strlen(a);
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strncmp(c->name, a, n) && c->name[n] == ' ') return true;
    return false;
}

static void print_help(const cli_command *c, FILE *out)
{
    fprintf(out, "usage: mstation %s %s\n\n%s\n", c->name, c->usage, c->summary);
    if (c->opts[0].name) fprintf(out, "\noptions:\n");
    for (const cli_opt *o = c->opts; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s", o->name, o->takes_value ? " VALUE" : "");
        fprintf(out, "  %-28s %s\n", left, o->help);
    }
    if (c->config_keys) {
        fprintf(out, "\nsettings (also from mstation.conf and MSTATION_<KEY> variables):\n");
        fprintf(out, "  %-28s %s\n", "--config FILE", "read settings from FILE");
        for (const ms_config_key *k = ms_config_keys(); k->name; k++) {
            char left[64];
            snprintf(left, sizeof left, "--%s VALUE", k->name);
            fprintf(out, "  %-28s %s (default: %s)\n", left, k->help, k->def[0] ? k->def : "none");
        }
    }
    fprintf(out, "  %-28s %s\n", "--help", "show this help");
}

static void print_usage(FILE *out)
{
    fprintf(out, "usage: mstation <command> [options]\n\n"
                 "mstation: the platform for film, TV and micro-drama production and trade.\n\n"
                 "commands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-16s %s\n", c->name, c->summary);
    fprintf(out, "\nRun `mstation <command> --help` for a command's options.\n"
                 "Exit codes: 0 done, 1 failed, 2 wrong usage, 3 already exists, 4 not found.\n");
}

static bool is_config_key(const char *name)
{
    if (!strcmp(name, "config")) return true;
    for (const ms_config_key *k = ms_config_keys(); k->name; k++)
        if (!strcmp(k->name, name)) return true;
    return false;
}

static int parse(const cli_command *c, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && !strcmp(arg, "--") && c->max_pos) {
            options_done = true;
            continue;
        }
        if (options_done || strncmp(arg, "--", 2) != 0 || !arg[2]) {
            if (c->max_pos == 0 || (c->max_pos > 0 && a->npos >= c->max_pos) ||
                a->npos == CLI_MAX_ARGS) {
                fprintf(stderr, "mstation %s: unexpected argument \"%s\" (see --help)\n", c->name,
                        arg);
                return CLI_USAGE;
            }
            a->pos[a->npos++] = arg;
            continue;
        }
        char name[64];
        const char *eq = strchr(arg + 2, '=');
        size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, arg + 2, n);
        name[n] = 0;
        const cli_opt *o = NULL;
        for (const cli_opt *x = c->opts; x->name; x++)
            if (!strcmp(x->name, name)) o = x;
        /* --max-body is accepted for max_body. */
        char *alias = a->names[a->n < CLI_MAX_ARGS ? a->n : CLI_MAX_ARGS - 1];
        ms_strlcpy(alias, name, 64);
        for (char *p = alias; *p; p++)
            if (*p == '-') *p = '_';
        bool cfg = c->config_keys && !o && is_config_key(alias);
        if (!o && !cfg) {
            fprintf(stderr, "mstation %s: unknown option --%s (see --help)\n", c->name, name);
            return CLI_USAGE;
        }
        bool takes = o ? o->takes_value : true;
        const char *val = NULL;
        if (takes) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else {
                fprintf(stderr, "mstation %s: --%s needs a value\n", c->name, name);
                return CLI_USAGE;
            }
        } else if (eq) {
            fprintf(stderr, "mstation %s: --%s takes no value\n", c->name, name);
            return CLI_USAGE;
        }
        if (a->n == CLI_MAX_ARGS) {
            fprintf(stderr, "mstation %s: too many options\n", c->name);
            return CLI_USAGE;
        }
        const char *key = o ? o->name : alias;
        a->key[a->n] = key;
        a->val[a->n] = val ? val : "";
        a->n++;
        if (cfg) {
            a->config_flags[a->nconfig++] = key;
            a->config_flags[a->nconfig++] = val;
        }
    }
    a->config_flags[a->nconfig] = NULL;
    return 0;
}

int cli_main(int argc, char **argv, char **envp)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) argv[1] = "version";
    if (!strcmp(argv[1], "help")) {
        int w;
        const cli_command *c =
            argc > 2 ? find_command(argv[2], argc > 3 ? argv[3] : NULL, &w) : NULL;
        if (c)
            print_help(c, stdout);
        else
            print_usage(stdout);
        return CLI_OK;
    }
    int words = 0;
    const cli_command *c = find_command(argv[1], argc > 2 ? argv[2] : NULL, &words);
    if (!c) {
        if (is_group(argv[1])) {
            fprintf(stderr, "mstation %s: which one?\n", argv[1]);
            for (const cli_command *x = cli_commands; x->name; x++)
                if (!strncmp(x->name, argv[1], strlen(argv[1])) && x->name[strlen(argv[1])] == ' ')
                    fprintf(stderr, "  mstation %-14s %s\n", x->name, x->summary);
        } else {
            fprintf(stderr, "mstation: unknown command \"%s\" (see mstation --help)\n", argv[1]);
        }
        return CLI_USAGE;
    }
    for (int i = 1 + words; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help(c, stdout);
            return CLI_OK;
        }
    }
    cli_args a;
    int rc = parse(c, argc - 1 - words, argv + 1 + words, &a);
    if (rc) return rc;
    return c->run(&a, envp);
}
