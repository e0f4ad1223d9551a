/* The pieces keel's command lines share (`keel run`, `keel bench`): numbers, sizes, -v/-q, option matching, one-line errors. */
#include "vmm/opt.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int opt_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int opt_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	bool over = false;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++)
		over = over || __builtin_mul_overflow(v, 10ull, &v) ||
		       __builtin_add_overflow(v, (unsigned long long)(*s - '0'), &v);
	if (*s)
		return -EINVAL;
	if (over || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int opt_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v = 0;
	unsigned int shift = 20;	/* bare numbers are MiB */
	const char *u;
	char num[32];
	size_t n = 0;

	if (!s)
		return -EINVAL;
	while (s[0] == '0' && isdigit((unsigned char)s[1]))
		s++;	/* leading zeros: only the digits after them must fit in num */
	while (isdigit((unsigned char)s[n]))
		n++;
	if (n == 0 || n >= sizeof(num))
		return n == 0 ? -EINVAL : -ERANGE;
	memcpy(num, s, n);
	num[n] = '\0';
	if (opt_parse_uint(num, ~0ull, &v) < 0)
		return -ERANGE;
	s += n;
	if (*s) {
		u = strchr(units, toupper((unsigned char)*s));
		if (!u)
			return -EINVAL;
		shift = 10u * (unsigned int)(u - units + 1);
		s++;
		if (strcmp(s, "") != 0 && strcmp(s, "B") != 0 && strcmp(s, "iB") != 0)
			return -EINVAL;
	}
	if (v > (~0ull >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int opt_number(const char *name, const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *out, char *err, size_t errlen)
{
	unsigned long long v;
	int r = opt_parse_uint(s, max, &v);

	if (r == -EINVAL)
		return opt_err(err, errlen, "%s %s: not a number", name, s);
	if (r < 0 || v < min)
		return opt_err(err, errlen, "%s %s: must be between %llu and %llu", name, s, min, max);
	*out = v;
	return 0;
}

bool opt_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

bool opt_verbosity(const char *arg, int *verbosity)
{
	if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
		*verbosity = *verbosity < 0 ? 1 : *verbosity + 1;
		return true;
	}
	if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
		*verbosity = -1;
		return true;
	}
	return false;
}

enum log_level opt_log_level(int verbosity)
{
	if (verbosity < 0)
		return LOG_ERROR;
	return verbosity == 0 ? LOG_WARN : verbosity == 1 ? LOG_INFO : LOG_DEBUG;
}

int opt_next(int argc, char *const argv[], int *i, const struct opt_def *defs, size_t ndefs, const char *cmd,
	     const char **value, char *err, size_t errlen)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg), k;

	for (k = 0; k < ndefs; k++)
		if (strlen(defs[k].name) == n && !strncmp(arg, defs[k].name, n))
			break;
	if (k == ndefs)
		return opt_err(err, errlen, arg[0] == '-' ? "unknown option '%s' (see '%s --help')"
							  : "unexpected argument '%s' (see '%s --help')",
			       arg, cmd);
	*value = NULL;
	if (!defs[k].value) {
		if (eq && defs[k].eq_value)
			*value = eq + 1;
		else if (eq)
			return opt_err(err, errlen, "%s takes no value", defs[k].name);
	} else if (eq) {
		*value = eq + 1;
	} else if (*i + 1 < argc) {
		*value = argv[++*i];
	} else {
		return opt_err(err, errlen, "%s needs a value (see '%s --help')", defs[k].name, cmd);
	}
	return (int)k;
}
