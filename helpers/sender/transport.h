/* transport.h: one POST through curl or wget, within a bound, and the HTTP
 * status it got.  The script chooses the program and its policy (timeouts,
 * protocols, TLS, proxy, headers, config files); the flags this code's
 * reading of the answer and its feeding of the body depend on are this
 * code's, added here for each kind, with the URL, so that a template line
 * without them still posts the body and reads the status.  The reply is
 * never stored. */
#ifndef HELPERS_TRANSPORT_H
#define HELPERS_TRANSPORT_H

enum transport_kind {
	TRANSPORT_CURL,    /* -sS --data-binary @- -o /dev/null -w '%{http_code}'
			    * --url URL: the body on stdin; stdout is the status
			    * alone, stderr curl's message */
	TRANSPORT_WGET,    /* GNU Wget: --server-response --post-file=/dev/stdin
			    * --output-document=/dev/null URL: the body on stdin,
			    * a file it can seek (Wget 1.21 must know its size);
			    * the status from -S on stderr */
	TRANSPORT_BUSYBOX, /* BusyBox wget: -S --post-file /dev/stdin -O /dev/null
			    * URL: the body on stdin; -S on stderr */
};

/* transport_kind_named(NAME): the kind called NAME ("curl", "wget",
 * "busybox"), or -1. */
int transport_kind_named(const char *name);

/* transport_post(POLICY, KIND, URL, BODY, LIMIT_MS, STATUS, OK): run
 * POLICY[0] (a path) with the options POLICY, then KIND's own flags (above),
 * then URL last (wget under POSIXLY_CORRECT reads no option after it), in a
 * process group killed after LIMIT_MS.  The body is never an argument:
 * other users read every process's argv.  STATUS gets the three digits of
 * the HTTP status it reports ("" when none: no answer, or not [1-5]xx);
 * *OK is 1 when the program exited with 0 within the bound.  Returns 0, or
 * -errno when it could not be run. */
int transport_post(char *const policy[], enum transport_kind kind, const char *url, const char *body,
		   long limit_ms, char status[4], int *ok);

#endif
