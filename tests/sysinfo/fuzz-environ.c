/* fuzz-environ.c: libFuzzer target for the /proc/PID/environ parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "procfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"container", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "",
	};
	const char *buf = (const char *)data;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t n = 0;
		const char *v = environ_get(buf, size, keys[i], &n);

		if (v != NULL) {
			char *norm;

			/* the value lies inside the input, right after "KEY=" */
			if (v < buf + strlen(keys[i]) + 1 || v + n > buf + size || v[-1] != '=')
				abort();
			if (memchr(v, '\0', n) != NULL)
				abort();
			norm = text_normalize(v, n);
			check_value(norm);
			free(norm);
		}
	}
	return 0;
}
