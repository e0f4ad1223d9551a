/* Typed, path-named reads of a Firecracker JSON document's fields, each failure one line naming the field. */
#include "vmm/fc/fc_json.h"

#include "vmm/image.h"
#include "vmm/opt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fc_where_set(struct fc_where *w, const char *section, int index, char *err, size_t errlen)
{
	if (index >= 0)
		snprintf(w->path, sizeof(w->path), "%s[%d]", section, index);
	else
		snprintf(w->path, sizeof(w->path), "%s", section);
	w->err = err;
	w->errlen = errlen;
}

int fc_fail(const struct fc_where *w, const char *field, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (field)
		snprintf(w->err, w->errlen, "%s.%s: %s", w->path, field, msg);
	else
		snprintf(w->err, w->errlen, "%s: %s", w->path, msg);
	return -EINVAL;
}

int fc_json_load_file(const char *what, const char *path, size_t max, json_t **doc, char *err, size_t errlen)
{
	json_error_t jerr;
	struct stat st = { 0 };
	char *buf;
	ssize_t n;
	int fd;

	*doc = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);	/* a FIFO without a writer must not hang us */
	if (fd < 0)
		return opt_err(err, errlen, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return opt_err(err, errlen, "%s %s: %s", what, path, image_refusal(st.st_mode, false));
	}
	if (st.st_size > (off_t)max) {
		close(fd);
		return opt_err(err, errlen, "%s %s: %lld bytes is too large (at most %zu)", what, path,
			       (long long)st.st_size, max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = pread(fd, buf, (size_t)st.st_size, 0);
	close(fd);
	if (n != (ssize_t)st.st_size) {
		free(buf);
		return opt_err(err, errlen, "%s %s: cannot read it: %s", what, path, n < 0 ? strerror(errno) : "short read");
	}
	*doc = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!*doc)
		return opt_err(err, errlen, "%s %s:%d:%d: not valid JSON: %s", what, path, jerr.line, jerr.column,
			       jerr.text);
	if (!json_is_object(*doc)) {
		json_decref(*doc);
		*doc = NULL;
		return opt_err(err, errlen, "%s %s: expected a JSON object at the top", what, path);
	}
	return 0;
}

const char *fc_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

int fc_is_object(const struct fc_where *w, const json_t *v)
{
	if (json_is_object(v))
		return 0;
	return fc_fail(w, NULL, "expected an object, got %s", fc_json_type_name(v));
}

int fc_known_fields(const struct fc_where *w, const json_t *o, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		bool known = false;

		for (const char *const *n = names; *n && !known; n++)
			known = !strcmp(key, *n);
		if (!known)
			return fc_fail(w, NULL, "unknown field '%s'", key);
	}
	return 0;
}

/* The field @key of @o, NULL when absent or null; -EINVAL in *@r when it is required. */
static const json_t *field(const struct fc_where *w, const json_t *o, const char *key, bool required, int *r)
{
	const json_t *v = json_object_get(o, key);

	*r = 0;
	if (v && !json_is_null(v))
		return v;
	if (required)
		*r = fc_fail(w, key, "missing (required)");
	return NULL;
}

int fc_get_string(const struct fc_where *w, const json_t *o, const char *key, bool required, const char **out)
{
	int r;
	const json_t *v = field(w, o, key, required, &r);

	if (!v)
		return r;
	if (!json_is_string(v))
		return fc_fail(w, key, "expected a string, got %s", fc_json_type_name(v));
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fc_fail(w, key, "contains a NUL character");
	*out = json_string_value(v);
	return 0;
}

int fc_get_bool(const struct fc_where *w, const json_t *o, const char *key, bool required, bool *out)
{
	int r;
	const json_t *v = field(w, o, key, required, &r);

	if (!v)
		return r;
	if (!json_is_boolean(v))
		return fc_fail(w, key, "expected true or false, got %s", fc_json_type_name(v));
	*out = json_is_true(v);
	return 0;
}

int fc_get_uint(const struct fc_where *w, const json_t *o, const char *key, bool required, unsigned long long min,
		unsigned long long max, unsigned long long *out)
{
	int r;
	const json_t *v = field(w, o, key, required, &r);
	json_int_t n;

	if (!v)
		return r;
	if (!json_is_integer(v))
		return fc_fail(w, key, "expected an integer, got %s", fc_json_type_name(v));
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < min || (unsigned long long)n > max)
		return fc_fail(w, key, "%lld is out of range (%llu to %llu)", (long long)n, min, max);
	*out = (unsigned long long)n;
	return 0;
}

int fc_get_array(const struct fc_where *w, const json_t *o, const char *key, const json_t **out)
{
	int r;
	const json_t *v = field(w, o, key, false, &r);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return fc_fail(w, key, "expected an array, got %s", fc_json_type_name(v));
	*out = v;
	return 0;
}

int fc_rate_limiter_none(const struct fc_where *w, const json_t *o, const char *key)
{
	static const char *const buckets[] = { "bandwidth", "ops", NULL };
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return fc_fail(w, key, "expected an object, got %s", fc_json_type_name(v));
	for (const char *const *b = buckets; *b; b++) {
		const json_t *bucket = json_object_get(v, *b);

		if (bucket && !json_is_null(bucket) && !(json_is_object(bucket) && json_object_size(bucket) == 0))
			return fc_fail(w, key, "rate limiting is not supported by keel (give null or {})");
	}
	if (json_object_size(v) > (size_t)(json_object_get(v, "bandwidth") != NULL) + (json_object_get(v, "ops") != NULL))
		return fc_fail(w, key, "unknown field in the rate limiter (only bandwidth and ops exist)");
	return 0;
}
