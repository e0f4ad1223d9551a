/* Unit tests of the API's pure core (vmm/api/core.c, doc.c): every endpoint's answers, the pre-/post-boot state machine, ids, unknown fields, nulls, big and garbage bodies, judged by the real fc_config_apply. */
#include "tests/unit/suites.h"

#include "vmm/api/api.h"
#include "vmm/api/core.h"
#include "vmm/api/doc.h"
#include "vmm/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct api_core core;
static struct api_reply reply;
static struct api_cmd cmd;

static void setup(void)
{
	log_set_level(LOG_OFF);
	ck_assert_int_eq(api_core_init(&core, "vm-1", "1.7.0", "Firecracker", 0, NULL, api_validate_doc), 0);
	memset(&reply, 0, sizeof(reply));
	memset(&cmd, 0, sizeof(cmd));
}

static void teardown(void)
{
	api_reply_clear(&reply);
	api_cmd_clear(&cmd);
	api_core_free(&core);
	log_set_level(LOG_WARN);
}

/* Send one request; its return (0 answered, 1 for the main thread). */
static int req(const char *method, const char *url, const char *body)
{
	api_reply_clear(&reply);
	api_cmd_clear(&cmd);
	return api_core_handle(&core, method, url, body, body ? strlen(body) : 0, &reply, &cmd);
}

/* The request is answered at once with @status, its body containing @part (NULL: no check). */
static void answer(const char *method, const char *url, const char *body, unsigned int status, const char *part)
{
	ck_assert_int_eq(req(method, url, body), 0);
	ck_assert_msg(reply.status == status, "%s %s: %u %s", method, url, reply.status, reply.body ? reply.body : "");
	if (part)
		ck_assert_msg(reply.body && strstr(reply.body, part), "%s %s: %s lacks %s", method, url,
			      reply.body ? reply.body : "(none)", part);
}

#define ANSWER answer
#define OK(method, url, body) ANSWER(method, url, body, 204, NULL)
#define FAULT(method, url, body, part) ANSWER(method, url, body, 400, part)

/* A field of the last 200 answer's JSON. */
static json_t *answer_json(void)
{
	json_t *v = json_loads(reply.body, 0, NULL);

	ck_assert_ptr_nonnull(v);
	return v;
}

/* Boot: InstanceStart handed out and answered @ret by the "main thread". */
static void boot(int ret, const char *fault)
{
	ck_assert_int_eq(req("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_START);
	ck_assert_ptr_nonnull(cmd.doc);
	api_reply_clear(&reply);
	api_core_finish(&core, &cmd, ret, fault, &reply);
}

START_TEST(api_info_and_version)
{
	json_t *v;

	ANSWER("GET", "/", NULL, 200, "\"state\":\"Not started\"");
	v = answer_json();
	ck_assert_str_eq(json_string_value(json_object_get(v, "id")), "vm-1");
	ck_assert_str_eq(json_string_value(json_object_get(v, "vmm_version")), "1.7.0");
	ck_assert_str_eq(json_string_value(json_object_get(v, "app_name")), "Firecracker");
	json_decref(v);
	ANSWER("GET", "/version", NULL, 200, "{\"firecracker_version\":\"1.7.0\"}");
	FAULT("GET", "/", "{}", "GET request cannot have a body.");
}
END_TEST

START_TEST(api_unknown_paths)
{
	FAULT("GET", "/nothing", NULL, "Invalid request method and/or path: GET /nothing.");
	FAULT("DELETE", "/drives/a", NULL, "Invalid request method and/or path: DELETE /drives/a.");
	FAULT("GET", "/boot-source", NULL, "Invalid request method and/or path: GET /boot-source.");
	FAULT("POST", "/actions", "{}", "Invalid request method and/or path: POST /actions.");
	FAULT("PUT", "/drives", "{}", "Invalid request method and/or path");
	FAULT("PUT", "/drives/a/b", "{}", "Invalid request method and/or path");
	FAULT("PUT", "/balloon", "{}", "not supported: PUT /balloon (keel has no balloon)");
	FAULT("PUT", "/snapshot/create", "{}", "keel has no snapshot");
	FAULT("GET", "/\x01\xff", NULL, "GET /??.");
}
END_TEST

START_TEST(api_machine_config)
{
	json_t *v;

	ANSWER("GET", "/machine-config", NULL, 200, NULL);
	v = answer_json();
	ck_assert_int_eq(json_integer_value(json_object_get(v, "vcpu_count")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "mem_size_mib")), 128);
	ck_assert(json_is_false(json_object_get(v, "smt")));
	ck_assert(json_is_false(json_object_get(v, "track_dirty_pages")));
	ck_assert_str_eq(json_string_value(json_object_get(v, "huge_pages")), "None");
	json_decref(v);

	OK("PUT", "/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":256,\"smt\":false}");
	ANSWER("GET", "/machine-config", NULL, 200, "\"vcpu_count\":2,\"mem_size_mib\":256");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":2}", "machine-config.mem_size_mib: missing");
	FAULT("PUT", "/machine-config", "{\"mem_size_mib\":256,\"vcpu_count\":null}", "vcpu_count: missing");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":256,\"bogus\":1}", "unknown field 'bogus'");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":0,\"mem_size_mib\":256}", "vcpu_count");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":\"2\",\"mem_size_mib\":256}", "expected an integer");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":256,\"smt\":true}", "smt");
	/* A refused change leaves the document as it was. */
	ANSWER("GET", "/machine-config", NULL, 200, "\"vcpu_count\":2,\"mem_size_mib\":256");

	OK("PATCH", "/machine-config", "{\"vcpu_count\":4}");
	ANSWER("GET", "/machine-config", NULL, 200, "\"vcpu_count\":4,\"mem_size_mib\":256");
	OK("PATCH", "/machine-config", "{\"mem_size_mib\":512,\"smt\":null}");
	ANSWER("GET", "/machine-config", NULL, 200, "\"vcpu_count\":4,\"mem_size_mib\":512");
	FAULT("PATCH", "/machine-config", "{}", "Empty PATCH request.");
	FAULT("PATCH", "/machine-config", "{\"what\":1}", "unknown field 'what'");
	FAULT("PATCH", "/machine-config", "{\"mem_size_mib\":-1}", "mem_size_mib");
	/* PUT replaces: what it leaves out is back to its default. */
	OK("PUT", "/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64}");
	ANSWER("GET", "/vm/config", NULL, 200, "\"machine-config\":{\"vcpu_count\":1,\"mem_size_mib\":64,\"smt\":false");
}
END_TEST

START_TEST(api_sections)
{
	json_t *v;

	OK("PUT", "/boot-source", "{\"kernel_image_path\":\"/k\",\"boot_args\":\"console=ttyS0\",\"initrd_path\":null}");
	FAULT("PUT", "/boot-source", "{\"kernel_image_path\":\"/k\",\"x\":1}", "boot-source: unknown field 'x'");
	FAULT("PUT", "/boot-source", "{\"kernel_image_path\":5}", "boot-source.kernel_image_path: expected a string");
	OK("PUT", "/logger", "{\"log_path\":\"/tmp/l\",\"level\":\"Info\",\"show_level\":true,\"show_log_origin\":null}");
	FAULT("PUT", "/logger", "{\"level\":\"Loud\"}", "logger.level");
	OK("PUT", "/metrics", "{\"metrics_path\":\"/tmp/m\"}");
	FAULT("PUT", "/metrics", "{}", "metrics.metrics_path");
	OK("PUT", "/vsock", "{\"guest_cid\":3,\"uds_path\":\"/tmp/v.sock\",\"vsock_id\":\"vsock0\"}");
	FAULT("PUT", "/vsock", "{\"guest_cid\":2,\"uds_path\":\"/tmp/v.sock\"}", "vsock.guest_cid");
	OK("PUT", "/entropy", "{\"rate_limiter\":null}");
	OK("PUT", "/entropy", "{\"rate_limiter\":{}}");
	FAULT("PUT", "/entropy", "{\"rate_limiter\":{\"bandwidth\":{\"size\":1,\"refill_time\":1}}}", "rate limit");
	ANSWER("GET", "/vm/config", NULL, 200, NULL);
	v = answer_json();
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "boot-source"), "kernel_image_path")), "/k");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "vsock"), "guest_cid")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "metrics"), "metrics_path")), "/tmp/m");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "machine-config"), "mem_size_mib")), 128);
	ck_assert(json_is_object(json_object_get(v, "entropy")));
	json_decref(v);
}
END_TEST

START_TEST(api_drives_and_nics)
{
	json_t *v;

	OK("PUT", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r.img\",\"is_root_device\":true,"
	   "\"is_read_only\":false,\"cache_type\":\"Unsafe\",\"rate_limiter\":null}");
	OK("PUT", "/drives/data_1", "{\"drive_id\":\"data_1\",\"path_on_host\":\"/d.img\",\"is_root_device\":false}");
	/* The same id again replaces it. */
	OK("PUT", "/drives/data_1", "{\"drive_id\":\"data_1\",\"path_on_host\":\"/e.img\",\"is_root_device\":false,"
	   "\"is_read_only\":true}");
	ANSWER("GET", "/vm/config", NULL, 200, NULL);
	v = answer_json();
	ck_assert_int_eq(json_array_size(json_object_get(v, "drives")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(v, "drives"), 1), "path_on_host")),
			 "/e.img");
	json_decref(v);
	FAULT("PUT", "/drives/a", "{\"drive_id\":\"b\",\"path_on_host\":\"/d\",\"is_root_device\":false}",
	      "The id from the path does not match the id from the body!");
	FAULT("PUT", "/drives/a", "{\"path_on_host\":\"/d\",\"is_root_device\":false}", "drives.drive_id: missing");
	FAULT("PUT", "/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/d\",\"is_root_device\":true}",
	      "is_root_device true (at most one)");
	FAULT("PUT", "/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/d\",\"is_root_device\":false,\"zz\":0}",
	      "unknown field 'zz'");
	FAULT("PUT", "/drives/", "{}", "The ID cannot be empty.");
	FAULT("PUT", "/drives/a-b", "{}", "API Resource IDs can only contain alphanumeric characters and underscores.");
	FAULT("PUT", "/drives/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "{}", "longer");

	OK("PUT", "/network-interfaces/eth0", "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\","
	   "\"guest_mac\":\"06:00:ac:10:00:02\",\"rx_rate_limiter\":{},\"tx_rate_limiter\":null}");
	FAULT("PUT", "/network-interfaces/eth1", "{\"iface_id\":\"eth2\",\"host_dev_name\":\"tap1\"}",
	      "The id from the path [eth1] does not match the id from the body [eth2]!");
	FAULT("PUT", "/network-interfaces/eth1", "{\"iface_id\":\"eth1\",\"host_dev_name\":\"tap1\",\"guest_mac\":\"x\"}",
	      "guest_mac");
	FAULT("PUT", "/network-interfaces/eth1", "{\"iface_id\":\"eth1\"}", "host_dev_name");
	/* Post-boot only before the boot. */
	FAULT("PATCH", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/x\"}",
	      "The requested operation is not supported before starting the microVM.");
	FAULT("PATCH", "/network-interfaces/eth0", "{\"iface_id\":\"eth0\"}", "not supported before starting");
}
END_TEST

START_TEST(api_bodies)
{
	char *big;

	FAULT("PUT", "/boot-source", NULL, "Empty PUT request.");
	FAULT("PATCH", "/vm", NULL, "Empty PATCH request.");
	FAULT("PUT", "/boot-source", "{\"kernel_image_path\":", "deserializing the json body of a request: ");
	FAULT("PUT", "/boot-source", "{\n\"a\" 1}", "line 2 column");
	FAULT("PUT", "/boot-source", "[1]", "expected a JSON object, got an array");
	FAULT("PUT", "/boot-source", "null", "expected a JSON object, got null");
	FAULT("PUT", "/boot-source", "{\"kernel_image_path\":\"a\",\"kernel_image_path\":\"b\"}", "duplicate");
	FAULT("PUT", "/logger", "\xff\xfe", "deserializing");
	FAULT("PUT", "/actions", "{\"action_type\":\"InstanceStart\"} x", "deserializing");
	/* A NUL inside the body. */
	api_reply_clear(&reply);
	ck_assert_int_eq(api_core_handle(&core, "PUT", "/logger", "{\"level\":\"In\0fo\"}", 18, &reply, &cmd), 0);
	ck_assert_int_eq(reply.status, 400);

	big = malloc(API_DEFAULT_MAX_BODY + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', API_DEFAULT_MAX_BODY + 1);
	big[0] = '{';
	big[API_DEFAULT_MAX_BODY] = '}';
	big[API_DEFAULT_MAX_BODY + 1] = '\0';
	FAULT("PUT", "/logger", big, "Request payload with size 51201 is larger than the limit of 51200 allowed by server.");
	big[API_DEFAULT_MAX_BODY - 1] = '}';
	big[API_DEFAULT_MAX_BODY] = '\0';
	OK("PUT", "/logger", big);
	free(big);
	/* Deep nesting is refused by the parser, not the stack. */
	big = malloc(20001);
	memset(big, '[', 20000);
	big[20000] = '\0';
	FAULT("PUT", "/logger", big, "deserializing");
	free(big);
}
END_TEST

START_TEST(api_actions_and_vm_before_boot)
{
	FAULT("PUT", "/actions", "{\"action_type\":\"SendCtrlAltDel\"}",
	      "The requested operation is not supported before starting the microVM.");
	FAULT("PUT", "/actions", "{\"action_type\":\"FlushMetrics\"}", "not supported before starting");
	FAULT("PUT", "/actions", "{\"action_type\":\"Reboot\"}", "unknown variant `Reboot`");
	FAULT("PUT", "/actions", "{}", "actions.action_type: missing");
	FAULT("PUT", "/actions", "{\"action_type\":null}", "actions.action_type: missing");
	FAULT("PUT", "/actions", "{\"action_type\":1}", "expected a string");
	FAULT("PUT", "/actions", "{\"action_type\":\"InstanceStart\",\"payload\":1}", "unknown field 'payload'");
	FAULT("PATCH", "/vm", "{\"state\":\"Paused\"}", "not supported before starting");
}
END_TEST

START_TEST(api_start_fails_then_succeeds)
{
	OK("PUT", "/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":64}");
	ck_assert_int_eq(req("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_START);
	/* The document handed on has the machine-config given. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cmd.doc, "machine-config"), "vcpu_count")), 2);
	/* While it starts: no second start, no change. */
	{
		struct api_cmd pending = cmd;

		memset(&cmd, 0, sizeof(cmd));
		FAULT("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}", "already starting");
		FAULT("PUT", "/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64}", "is starting");
		ANSWER("GET", "/", NULL, 200, "Not started");
		cmd = pending;
	}
	api_reply_clear(&reply);
	api_core_finish(&core, &cmd, -EINVAL, "boot-source.kernel_image_path: /nope: No such file", &reply);
	ck_assert_int_eq(reply.status, 400);
	ck_assert_ptr_nonnull(strstr(reply.body, "{\"fault_message\":\"boot-source.kernel_image_path: /nope"));
	ANSWER("GET", "/", NULL, 200, "Not started");
	/* The client may change the configuration and start again. */
	OK("PATCH", "/machine-config", "{\"vcpu_count\":1}");
	boot(0, NULL);
	ck_assert_int_eq(reply.status, 204);
	ANSWER("GET", "/", NULL, 200, "\"state\":\"Running\"");
}
END_TEST

START_TEST(api_after_boot)
{
	OK("PUT", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r.img\",\"is_root_device\":true}");
	OK("PUT", "/network-interfaces/eth0", "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\"}");
	boot(0, NULL);
	/* Pre-boot only now refused. */
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64}",
	      "The requested operation is not supported after starting the microVM.");
	FAULT("PATCH", "/machine-config", "{\"vcpu_count\":1}", "not supported after starting");
	FAULT("PUT", "/boot-source", "{\"kernel_image_path\":\"/k\"}", "not supported after starting");
	FAULT("PUT", "/drives/x", "{\"drive_id\":\"x\"}", "not supported after starting");
	FAULT("PUT", "/network-interfaces/x", "{\"iface_id\":\"x\"}", "not supported after starting");
	FAULT("PUT", "/vsock", "{}", "not supported after starting");
	FAULT("PUT", "/logger", "{}", "not supported after starting");
	FAULT("PUT", "/metrics", "{}", "not supported after starting");
	FAULT("PUT", "/entropy", "{}", "not supported after starting");
	FAULT("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}", "not supported after starting");
	ANSWER("GET", "/machine-config", NULL, 200, "\"vcpu_count\":1");

	/* Pause and resume: the state follows the main thread's answer. */
	ck_assert_int_eq(req("PATCH", "/vm", "{\"state\":\"Paused\"}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_PAUSE);
	api_core_finish(&core, &cmd, 0, NULL, &reply);
	ck_assert_int_eq(reply.status, 204);
	ANSWER("GET", "/", NULL, 200, "\"state\":\"Paused\"");
	ck_assert_int_eq(req("PATCH", "/vm", "{\"state\":\"Resumed\"}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_RESUME);
	api_reply_clear(&reply);
	api_core_finish(&core, &cmd, -EIO, "could not resume", &reply);
	ck_assert_int_eq(reply.status, 400);
	ANSWER("GET", "/", NULL, 200, "\"state\":\"Paused\"");
	ck_assert_int_eq(req("PATCH", "/vm", "{\"state\":\"Resumed\"}"), 1);
	api_reply_clear(&reply);
	api_core_finish(&core, &cmd, 0, NULL, &reply);
	ANSWER("GET", "/", NULL, 200, "\"state\":\"Running\"");
	FAULT("PATCH", "/vm", "{\"state\":\"Stopped\"}", "unknown variant `Stopped`");
	FAULT("PATCH", "/vm", "{\"state\":true}", "vm.state: expected a string");
	FAULT("PATCH", "/vm", "{\"state\":\"Paused\",\"x\":1}", "vm: unknown field 'x'");

	/* Actions. */
	ck_assert_int_eq(req("PUT", "/actions", "{\"action_type\":\"SendCtrlAltDel\"}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_CTRL_ALT_DEL);
	ck_assert_int_eq(req("PUT", "/actions", "{\"action_type\":\"FlushMetrics\"}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_FLUSH_METRICS);

	/* Drive swap: the main thread's, then the document follows. */
	ck_assert_int_eq(req("PATCH", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/new.img\","
			     "\"rate_limiter\":{}}"), 1);
	ck_assert_int_eq(cmd.kind, API_CMD_DRIVE_SWAP);
	ck_assert_str_eq(cmd.id, "rootfs");
	ck_assert_str_eq(cmd.path, "/new.img");
	api_reply_clear(&reply);
	api_core_finish(&core, &cmd, 0, NULL, &reply);
	ck_assert_int_eq(reply.status, 204);
	ANSWER("GET", "/vm/config", NULL, 200, "\"path_on_host\":\"/new.img\"");
	OK("PATCH", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"rate_limiter\":null}");
	FAULT("PATCH", "/drives/rootfs", "{\"drive_id\":\"other\",\"path_on_host\":\"/x\"}", "does not match");
	FAULT("PATCH", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"\"}", "empty path");
	FAULT("PATCH", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"is_read_only\":true}", "unknown field 'is_read_only'");
	FAULT("PATCH", "/drives/rootfs", "{\"drive_id\":\"rootfs\",\"rate_limiter\":{\"ops\":{\"size\":1}}}",
	      "rate limiting is not supported");
	OK("PATCH", "/network-interfaces/eth0", "{\"iface_id\":\"eth0\",\"rx_rate_limiter\":{},\"tx_rate_limiter\":null}");
	FAULT("PATCH", "/network-interfaces/eth0", "{\"iface_id\":\"eth0\",\"rx_rate_limiter\":{\"bandwidth\":{\"size\":5}}}",
	      "rate limiting is not supported");
	FAULT("PATCH", "/network-interfaces/eth9", "{\"iface_id\":\"eth9\"}", "Invalid network interface ID: eth9.");
	FAULT("PATCH", "/network-interfaces/eth0", "{\"iface_id\":\"eth0\",\"host_dev_name\":\"t\"}", "unknown field");
	/* The main thread gone: refused at once. */
	core.stopping = true;
	FAULT("PATCH", "/vm", "{\"state\":\"Paused\"}", "The microVM is stopping.");
}
END_TEST

START_TEST(api_booted_from_file)
{
	json_t *doc = json_loads("{\"machine-config\":{\"vcpu_count\":2,\"mem_size_mib\":64},\"drives\":[]}", 0, NULL);

	api_core_free(&core);
	ck_assert_int_eq(api_core_init(&core, NULL, NULL, NULL, 0, doc, api_validate_doc), 0);
	json_decref(doc);
	ANSWER("GET", "/", NULL, 200, "{\"id\":\"anonymous-instance\",\"state\":\"Not started\"");
	FAULT("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}", "already starting");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64}", "is starting");
	api_core_start_done(&core, 0);
	ANSWER("GET", "/", NULL, 200, "\"state\":\"Running\"");
	ANSWER("GET", "/machine-config", NULL, 200, "\"vcpu_count\":2,\"mem_size_mib\":64");
	/* Not an object: refused. */
	api_core_free(&core);
	doc = json_array();
	ck_assert_int_eq(api_core_init(&core, NULL, NULL, NULL, 0, doc, NULL), -EINVAL);
	json_decref(doc);
	ck_assert_int_eq(api_core_init(&core, NULL, NULL, NULL, 0, NULL, NULL), 0);
}
END_TEST

START_TEST(api_fault_text)
{
	struct api_reply r = { 0 };

	api_reply_fault(&r, "bad \xff\x01 byte");
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(r.body, "{\"fault_message\":\"bad ?? byte\"}");
	api_reply_clear(&r);
	api_reply_fault(&r, "quote \" and \n");
	ck_assert_str_eq(r.body, "{\"fault_message\":\"quote \\\" and \\n\"}");
	api_reply_clear(&r);
	ck_assert_str_eq(api_core_state_name(API_STATE_PAUSED), "Paused");
}
END_TEST

/* Each request counts for its endpoint, a refused one also as a failure, a command failed by the main thread too. */
START_TEST(api_counters_by_endpoint)
{
	const struct fc_api_counters *n = &core.counters;

	OK("PUT", "/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":256}");
	FAULT("PUT", "/machine-config", "{\"vcpu_count\":0,\"mem_size_mib\":256}", "vcpu_count");
	ck_assert_int_eq(req("GET", "/", NULL), 0);
	ck_assert_int_eq(req("GET", "/", NULL), 0);
	FAULT("PUT", "/drives/a", "{\"drive_id\":\"b\",\"path_on_host\":\"/d\",\"is_root_device\":false}", "");
	ck_assert_uint_eq(n->put.machine_cfg_count, 2);
	ck_assert_uint_eq(n->put.machine_cfg_fails, 1);
	ck_assert_uint_eq(n->get.instance_info_count, 2);
	ck_assert_uint_eq(n->put.drive_count, 1);
	ck_assert_uint_eq(n->put.drive_fails, 1);
	ck_assert_int_eq(req("PUT", "/actions", "{\"action_type\":\"InstanceStart\"}"), 1);
	ck_assert_uint_eq(n->put.actions_count, 1);
	ck_assert_uint_eq(n->put.actions_fails, 0);
	api_core_finish(&core, &cmd, -EINVAL, "no kernel", &reply);	/* the main thread could not start it */
	ck_assert_uint_eq(n->put.actions_fails, 1);
}
END_TEST

Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, api_info_and_version);
	tcase_add_test(t, api_unknown_paths);
	tcase_add_test(t, api_machine_config);
	tcase_add_test(t, api_sections);
	tcase_add_test(t, api_drives_and_nics);
	tcase_add_test(t, api_bodies);
	tcase_add_test(t, api_actions_and_vm_before_boot);
	tcase_add_test(t, api_start_fails_then_succeeds);
	tcase_add_test(t, api_after_boot);
	tcase_add_test(t, api_booted_from_file);
	tcase_add_test(t, api_fault_text);
	tcase_add_test(t, api_counters_by_endpoint);
	suite_add_tcase(s, t);
	return s;
}
