/* dashboard-log.h: the last events the script sent, from its local log, for
 * the dashboard's transparency panel. */
#ifndef DASHBOARD_LOG_H
#define DASHBOARD_LOG_H

#include <stddef.h>

#include "dashboard-json.h"
#include "logline.h"

#define DASHBOARD_LOG_NAME LOGLINE_NAME

/* Append to B the JSON object the log endpoint answers:
 *   {"file":PATH,"events":[{"time":EPOCH,"status":CODE,"event":TEXT},...],
 *    "skipped":N[,"error":WHY]}
 * with the last MAX well-formed lines of the log PATH, oldest first, and
 * the count of the malformed ones; TEXT is the line's JSON as the log
 * holds it, quoted as a string.  The file and the lines are read by
 * common/logline.h, the log's one reader (what anonymous-statistics-ctl
 * log shows, the panel shows).  A missing file is no error: no event was
 * sent yet. */
void dashboard_log_json(const char *path, size_t max, struct json_buf *b);

#endif
