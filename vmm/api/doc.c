/* The API's configuration document and request bodies: parsing with Firecracker's wording, field checks, copies with one section or array item changed, machine-config's defaults. */
#include "vmm/api/doc.h"

#include "vmm/fc/fc_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DESERIALIZE "An error occurred when deserializing the json body of a request"

int api_body_parse(const char *body, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v;

	*out = NULL;
	v = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		snprintf(err, errlen, DESERIALIZE ": %s at line %d column %d.", je.text, je.line, je.column);
		return -EINVAL;
	}
	if (!json_is_object(v)) {
		snprintf(err, errlen, DESERIALIZE ": expected a JSON object, got %s.", fc_json_type_name(v));
		json_decref(v);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

json_t *api_doc_machine_config(const json_t *doc)
{
	json_t *mc = json_pack("{s:i, s:i, s:b, s:b, s:s}", "vcpu_count", API_DEFAULT_VCPUS, "mem_size_mib",
			       API_DEFAULT_MEM_MIB, "smt", 0, "track_dirty_pages", 0, "huge_pages", "None");
	const json_t *given = json_object_get(doc, "machine-config");
	const char *key;
	json_t *v;

	if (!mc || !json_is_object(given))
		return mc;
	json_object_foreach((json_t *)given, key, v) {
		if (json_is_null(v))
			continue;
		if (json_object_set(mc, key, v) < 0) {
			json_decref(mc);
			return NULL;
		}
	}
	return mc;
}

json_t *api_doc_full(const json_t *doc)
{
	json_t *full = json_deep_copy(doc);
	json_t *mc = api_doc_machine_config(doc);

	if (!full || !mc || json_object_set_new(full, "machine-config", json_deep_copy(mc)) < 0) {
		json_decref(full);
		json_decref(mc);
		return NULL;
	}
	json_decref(mc);
	return full;
}

json_t *api_doc_with(const json_t *doc, const char *key, json_t *value)
{
	json_t *d = json_copy((json_t *)doc);

	if (!d || json_object_set(d, key, value) < 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

static bool item_has_id(const json_t *item, const char *id_key, const char *id)
{
	const char *s = json_string_value(json_object_get(item, id_key));

	return s && strcmp(s, id) == 0;
}

json_t *api_doc_find_item(const json_t *doc, const char *key, const char *id_key, const char *id)
{
	const json_t *arr = json_object_get(doc, key);
	size_t i;
	json_t *item;

	if (!json_is_array(arr))
		return NULL;
	json_array_foreach(arr, i, item) {
		if (item_has_id(item, id_key, id))
			return item;
	}
	return NULL;
}

json_t *api_doc_with_item(const json_t *doc, const char *key, const char *id_key, const char *id, json_t *item)
{
	const json_t *old = json_object_get(doc, key);
	json_t *arr = json_is_array(old) ? json_copy((json_t *)old) : json_array();
	json_t *d;
	size_t i;
	json_t *it;
	bool replaced = false;

	if (!arr)
		return NULL;
	json_array_foreach(arr, i, it) {
		if (item_has_id(it, id_key, id)) {
			if (json_array_set(arr, i, item) < 0)
				goto fail;
			replaced = true;
			break;
		}
	}
	if (!replaced && json_array_append(arr, item) < 0)
		goto fail;
	d = api_doc_with(doc, key, arr);
	json_decref(arr);
	return d;
fail:
	json_decref(arr);
	return NULL;
}
