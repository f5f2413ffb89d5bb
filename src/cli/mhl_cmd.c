/* mhl_cmd.c: `mstation mhl create DIR` and `mstation mhl verify DIR`, the ASC MHL commands a
 * data wrangler runs on set (after offloading a card) and after an upload. Thin: the work is in
 * src/mhl/; this file parses options, prints one line per problem and a summary, and maps the
 * outcome to an exit code (0 all verified, 1 problems or failure, 2 usage, 4 no such folder or
 * no history). They need no configuration and no database. */
#include "cli/cli.h"
#include "mhl/mhl.h"

#include <stdio.h>
#include <string.h>

int cli_mhl_create(const cli_args *a, char **envp);
int cli_mhl_verify(const cli_args *a, char **envp);

const cli_opt cli_mhl_create_opts[] = {
    {"hash", true, "xxh128 (default), xxh64, xxh3, md5, sha1 or c4"},
    {"ignore", true, "a pattern to leave out (gitignore style); repeat for more"},
    {"author", true, "the <author> of the generation (a name)"},
    {"email", true, "the author's e-mail address"},
    {"location", true, "where the generation was made (<location>)"},
    {"comment", true, "a <comment> for the generation"},
    {"no-directory-hashes", false, "leave out directory hashes"},
    {NULL, false, NULL},
};

const cli_opt cli_mhl_verify_opts[] = {
    {NULL, false, NULL},
};

static void print_problem(void *ctx, const char *kind, const char *path, const char *detail)
{
    (void)ctx;
    printf("%s: %s: %s\n", kind, path, detail);
    fflush(stdout);
}

static void human_bytes(uint64_t n, char out[32])
{
    const char *units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1000 && u < 5) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%llu B", (unsigned long long)n);
    else
        snprintf(out, 32, "%.2f %s", v, units[u]);
}

static void print_speed(const mhl_result *r)
{
    char total[32], rate[32];
    human_bytes(r->bytes, total);
    human_bytes(r->seconds > 0 ? (uint64_t)((double)r->bytes / r->seconds) : r->bytes, rate);
    printf("%llu files, %s (%llu bytes) in %.2f s, %s/s", (unsigned long long)r->files, total,
           (unsigned long long)r->bytes, r->seconds, rate);
}

static int mhl_exit(const char *what, const ms_error *e)
{
    fprintf(stderr, "mstation %s: %s\n", what, e->detail[0] ? e->detail : ms_error_slug(e->code));
    return e->code == MS_ENOTFOUND ? CLI_NOTFOUND : CLI_FAIL;
}

static const char *folder_arg(const cli_args *a, const char *what)
{
    if (a->npos != 1) {
        fprintf(stderr, "mstation %s: give one folder (see --help)\n", what);
        return NULL;
    }
    return a->pos[0];
}

int cli_mhl_create(const cli_args *a, char **envp)
{
    (void)envp;
    const char *dir = folder_arg(a, "mhl create");
    if (!dir) return CLI_USAGE;
    mhl_create_opts o;
    memset(&o, 0, sizeof o);
    const char *hash = cli_get(a, "hash");
    if (hash) {
        o.format = mhl_format_parse(hash);
        if (o.format == MHL_NONE || !mhl_format_dirhash_ok(o.format)) {
            fprintf(stderr,
                    "mstation mhl create: --hash %s: use xxh128, xxh64, xxh3, md5, sha1 or c4\n",
                    hash);
            return CLI_USAGE;
        }
    }
    const char *ignore[CLI_MAX_ARGS];
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->key[i], "ignore")) {
            if (!mhl_ignore_pattern_valid(a->val[i])) {
                fprintf(stderr,
                        "mstation mhl create: --ignore \"%s\": not a pattern this tool applies "
                        "(empty, starts with ! or #, or too long)\n",
                        a->val[i]);
                return CLI_USAGE;
            }
            ignore[o.nignore++] = a->val[i];
        }
    o.ignore = ignore;
    o.creator.author_name = cli_get(a, "author");
    o.creator.author_email = cli_get(a, "email");
    o.creator.location = cli_get(a, "location");
    o.creator.comment = cli_get(a, "comment");
    if (o.creator.author_email && !o.creator.author_name) {
        fprintf(stderr, "mstation mhl create: --email needs --author\n");
        return CLI_USAGE;
    }
    o.no_dir_hashes = cli_has(a, "no-directory-hashes");
    o.report = print_problem;
    mhl_result r;
    ms_error e;
    ms_error_clear(&e);
    if (mhl_create(dir, &o, &r, &e)) return mhl_exit("mhl create", &e);
    printf("created %s/ascmhl/%s: ", dir, r.generation);
    print_speed(&r);
    printf("; %llu original, %llu verified, %llu failed, %llu missing",
           (unsigned long long)r.originals, (unsigned long long)r.verified,
           (unsigned long long)r.failed, (unsigned long long)r.missing);
    if (r.skipped) printf(", %llu skipped", (unsigned long long)r.skipped);
    printf(r.problems ? "\n%llu problems\n" : "\n", (unsigned long long)r.problems);
    return r.problems ? CLI_FAIL : CLI_OK;
}

int cli_mhl_verify(const cli_args *a, char **envp)
{
    (void)envp;
    const char *dir = folder_arg(a, "mhl verify");
    if (!dir) return CLI_USAGE;
    mhl_result r;
    ms_error e;
    ms_error_clear(&e);
    if (mhl_verify(dir, print_problem, NULL, &r, &e)) return mhl_exit("mhl verify", &e);
    printf("verified %s: ", dir);
    print_speed(&r);
    if (r.skipped) printf("; %llu skipped", (unsigned long long)r.skipped);
    if (r.problems)
        printf("\nFAILED: %llu problems (%llu missing, %llu changed, %llu new)\n",
               (unsigned long long)r.problems, (unsigned long long)r.missing,
               (unsigned long long)r.failed, (unsigned long long)r.new_files);
    else
        printf("\nOK: every file matches its history\n");
    return r.problems ? CLI_FAIL : CLI_OK;
}
