/* The API's configuration document (the config file's shape) and request bodies: parsing with Firecracker's wording, copies with one section or one array item changed, machine-config's defaults. */
#ifndef KEEL_VMM_API_DOC_H
#define KEEL_VMM_API_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Firecracker's machine-config defaults (what GET /machine-config reports before any PUT). */
#define API_DEFAULT_VCPUS 1
#define API_DEFAULT_MEM_MIB 128

/*
 * api_body_parse - @len bytes of JSON at @body into *@out (a new reference to an object). -EINVAL
 * with one line in @err: bad JSON (with jansson's line and column) or not an object.
 */
int api_body_parse(const char *body, size_t len, json_t **out, char *err, size_t errlen);

/* api_doc_machine_config - a new object: machine-config's defaults under @doc's own fields (nulls skipped). */
json_t *api_doc_machine_config(const json_t *doc);

/* api_doc_full - a new, deep copy of @doc with machine-config's defaults filled in. */
json_t *api_doc_full(const json_t *doc);

/* api_doc_with - a new document: @doc with section @key set to @value (a new reference taken). */
json_t *api_doc_with(const json_t *doc, const char *key, json_t *value);

/*
 * api_doc_with_item - a new document: @doc whose array @key has the object whose @id_key is @id
 * replaced by @item (appended when none; a new reference taken).
 */
json_t *api_doc_with_item(const json_t *doc, const char *key, const char *id_key, const char *id, json_t *item);

/* api_doc_find_item - the object of @doc's array @key whose @id_key is @id (borrowed), or NULL. */
json_t *api_doc_find_item(const json_t *doc, const char *key, const char *id_key, const char *id);

#endif
