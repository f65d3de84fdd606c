/* xalloc.h: allocation that cannot fail silently, and the one place that dies. */
#ifndef HELPERS_XALLOC_H
#define HELPERS_XALLOC_H

#include <stddef.h>

/* fatal(fmt, ...): print "sysinfo: <message>" to stderr and exit 1. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
