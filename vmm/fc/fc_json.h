/* Typed, path-named reads of a Firecracker JSON document's fields: every wrong type, unknown field or bad value becomes one line naming its place ("drives[1].is_read_only"). */
#ifndef KEEL_VMM_FC_FC_JSON_H
#define KEEL_VMM_FC_FC_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Where a field sits, for messages: "machine-config" or "drives[1]". */
struct fc_where {
	char path[64];
	char *err;
	size_t errlen;
};

/* fc_where_set - @w names @section (and [@index] when @index >= 0); errors go to @err. */
void fc_where_set(struct fc_where *w, const char *section, int index, char *err, size_t errlen);

/* fc_fail - one line "PATH.FIELD: message" (@field NULL: "PATH: message"); returns -EINVAL. */
int fc_fail(const struct fc_where *w, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fc_is_object - @v is an object (0), or an error naming @w (-EINVAL). */
int fc_is_object(const struct fc_where *w, const json_t *v);

/* fc_known_fields - every key of object @o is one of the NULL-terminated @names, else -EINVAL naming it. */
int fc_known_fields(const struct fc_where *w, const json_t *o, const char *const *names);

/*
 * The getters: field @key of object @o. Absent or null: 0 with *@out left as it was (or
 * -EINVAL when @required). A value of another type: -EINVAL naming what was expected.
 */
int fc_get_string(const struct fc_where *w, const json_t *o, const char *key, bool required, const char **out);
int fc_get_bool(const struct fc_where *w, const json_t *o, const char *key, bool required, bool *out);
int fc_get_uint(const struct fc_where *w, const json_t *o, const char *key, bool required, unsigned long long min,
		unsigned long long max, unsigned long long *out);
/* fc_get_array - an array (absent or null: *@out NULL). */
int fc_get_array(const struct fc_where *w, const json_t *o, const char *key, const json_t **out);

/*
 * fc_rate_limiter_none - field @key of @o may only be absent, null, or an object whose buckets are
 * null or empty ({} or {"bandwidth": null, "ops": null}): keel has no rate limiter, so a real one
 * is refused rather than ignored.
 */
int fc_rate_limiter_none(const struct fc_where *w, const json_t *o, const char *key);

/*
 * fc_json_load_file - read the JSON file @path (a regular file of at most @max bytes) into *@doc,
 * a new reference to an object. 0, or -EINVAL / -errno with one line in @err: "@what PATH: ...",
 * with the line and column of bad JSON.
 */
int fc_json_load_file(const char *what, const char *path, size_t max, json_t **doc, char *err, size_t errlen);

/* fc_json_type_name - "a string", "an integer", ... for messages. */
const char *fc_json_type_name(const json_t *v);

#endif
