/* transfer.h: the commands that talk to a running server over HTTP instead of opening the
 * data folder: `mstation put`, `get`, `ls` and `share` (transfer.c). Only what the command
 * table in commands.c needs; nothing here is for other modules. */
#ifndef MS_CLI_TRANSFER_H
#define MS_CLI_TRANSFER_H

#include "cli/cli.h"

extern const cli_opt transfer_put_opts[];
extern const cli_opt transfer_get_opts[];
extern const cli_opt transfer_ls_opts[];
extern const cli_opt transfer_share_opts[];

int transfer_put(const cli_args *a, char **envp);
int transfer_get(const cli_args *a, char **envp);
int transfer_ls(const cli_args *a, char **envp);
int transfer_share(const cli_args *a, char **envp);

#endif
