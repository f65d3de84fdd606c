/* procfile.h: parsers for the kernel's own formats: /proc/PID/environ and
 * "Key : value" files (/proc/cpuinfo, /proc/self/status, /proc/sysinfo). */
#ifndef HELPERS_PROCFILE_H
#define HELPERS_PROCFILE_H

#include <stddef.h>

/*
 * environ_get(buf, len, key, &vlen): in NUL-separated KEY=VALUE entries, the
 * value of the first entry named key (what getenv() would answer): a pointer
 * into buf and its length in *vlen, or NULL when there is none.  The last
 * entry may lack its NUL.
 */
const char *environ_get(const char *buf, size_t len, const char *key, size_t *vlen);

/*
 * procfile_field(buf, len, key, &vlen): in newline-separated "KEY<blanks>:
 * VALUE" lines, the value of the first line whose KEY is exactly key, with
 * surrounding blanks dropped: a pointer into buf and *vlen, or NULL.
 */
const char *procfile_field(const char *buf, size_t len, const char *key, size_t *vlen);

#endif
