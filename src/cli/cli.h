/* cli.h: `mstation <command>`: argument parsing, help and the commands. Thin: every command
 * calls the same module functions the API uses (user_create, org_create, token_create ...).
 *
 * Exit codes: 0 done; 1 failed (message on stderr); 2 wrong usage or invalid input;
 * 3 already exists / already done; 4 not found. */
#ifndef MS_CLI_H
#define MS_CLI_H

#include "core/config.h"
#include "core/error.h"

#include <stdbool.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_EXISTS = 3, CLI_NOTFOUND = 4 };

#define CLI_MAX_ARGS 64

typedef struct cli_opt {
    const char *name; /* without "--" */
    bool takes_value;
    const char *help;
} cli_opt;

typedef struct cli_args {
    const char *key[CLI_MAX_ARGS];
    const char *val[CLI_MAX_ARGS];
    int n;
    const char *config_flags[2 * CLI_MAX_ARGS + 1]; /* key, value, ..., NULL for ms_config_load */
    int nconfig;
    char names[CLI_MAX_ARGS][64];  /* storage for normalized setting names */
    const char *pos[CLI_MAX_ARGS]; /* positional arguments, in order ("--" ends the options) */
    int npos;
} cli_args;

typedef struct cli_command {
    const char *name;    /* "user add" */
    const char *summary; /* one line */
    const char *usage;   /* argument synopsis */
    const cli_opt *opts; /* ends with {NULL} */
    bool config_keys;    /* also accepts every configuration key as --key value */
    int (*run)(const cli_args *a, char **envp);
    int max_pos; /* how many positional arguments (files, folders) it takes; -1: any number */
} cli_command;

int cli_main(int argc, char **argv, char **envp);

const char *cli_get(const cli_args *a, const char *name);
bool cli_has(const cli_args *a, const char *name);
/* Exit code for an ms_error, after printing "mstation: <what>: <detail>". */
int cli_fail(const char *what, const ms_error *e);
/* Load configuration for a command from its flags and the environment. */
int cli_config(const cli_args *a, char **envp, ms_config *cfg);
/* Read a password from a file ("-": standard input), first line without the newline. */
int cli_read_password(const char *path, char out[1100], ms_error *err);

extern const cli_command cli_commands[];

#endif
