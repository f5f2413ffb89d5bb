/* main.c: the `mstation` binary: everything is a command (src/cli/). */
#include "cli/cli.h"

#include <sys/stat.h>

int main(int argc, char **argv, char **envp)
{
    /* Everything mstation creates (database, keys, mail, blobs) is for its own user only. */
    umask(077);
    return cli_main(argc, argv, envp);
}
