/* The command line parser: space-separated words, the last key=value for a key wins. */
#include "guest/kernel/cmdline.h"

#include "guest/lib/string.h"

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	bool found = false;
	const char *p = cmdline;

	while (*p) {
		const char *word, *end;

		while (*p == ' ')
			p++;
		word = p;
		while (*p && *p != ' ')
			p++;
		end = p;
		if ((size_t)(end - word) > klen && !strncmp(word, key, klen) && word[klen] == '=' && len) {
			size_t n = (size_t)(end - word) - klen - 1;

			if (n > len - 1)
				n = len - 1;
			memcpy(val, word + klen + 1, n);
			val[n] = '\0';
			found = true;
		}
	}
	return found;
}
