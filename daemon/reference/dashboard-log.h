/* dashboard-log.h: the last events the script sent, from its local log, for
 * the dashboard's transparency panel. */
#ifndef DASHBOARD_LOG_H
#define DASHBOARD_LOG_H

#include <stddef.h>

#include "dashboard-json.h"

#define DASHBOARD_LOG_NAME "anonymous-statistics.log"
#define DASHBOARD_LOG_TAIL 65536 /* bytes read from the end of the log */

/* Append to B the JSON object the log endpoint answers:
 *   {"file":PATH,"events":[{"time":EPOCH,"status":CODE,"event":TEXT},...],
 *    "skipped":N[,"error":WHY]}
 * with the last MAX well-formed `EPOCH STATUS JSON` lines of PATH, oldest
 * first; TEXT is the line's JSON as the log holds it, quoted as a string.
 * PATH is read only when it is a regular file owned by us or by root with
 * one link, opened without following a link or blocking on a FIFO, and only
 * its last DASHBOARD_LOG_TAIL bytes.  A missing file is no error: no event
 * was sent yet. */
void dashboard_log_json(const char *path, size_t max, struct json_buf *b);

#endif
