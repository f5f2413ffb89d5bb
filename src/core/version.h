/* version.h: this build's version (CMake writes them into gen/version.c). */
#ifndef MS_VERSION_H
#define MS_VERSION_H

extern const char ms_version[]; /* "0.1.0" */
extern const char ms_git[];     /* `git describe --always --dirty --tags` at configure time */

#endif
