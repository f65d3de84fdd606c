/* logprint.h: anonymous-statistics-ctl's `log`, which execs the sender's
 * log-print.  What it shows is what common/logline.h reads: the same files
 * and lines as the dashboard's panel. */
#ifndef HELPERS_LOGPRINT_H
#define HELPERS_LOGPRINT_H

/* log_print(DIR, OPTION): print the log of the state directory DIR
 * (logline.h: read whole up to LOGLINE_FILE_CAP; a larger file is refused)
 * as a table of time (UTC), event and HTTP status, or with OPTION "--json"
 * the payloads as logged, one a line, with DEL and the C1 controls written
 * as \u escapes so that a payload cannot drive the terminal.  Speaks for
 * the control command: its messages, and its exit statuses (0; 2 usage;
 * 4 the log cannot be read). */
int log_print(const char *dir, const char *option);

#endif
